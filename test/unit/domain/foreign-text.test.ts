import { BOT, person, type Incident } from "../../../src/domain/incident";
import { plainMessage } from "../../../src/domain/message-text";
import { md, renderPostmortem } from "../../../src/domain/postmortem";
import type { TimelineEvent } from "../../../src/domain/timeline";
import {
  describeEvent,
  renderTimelineText,
  timelineText,
} from "../../../src/domain/timeline-render";

const HOSTILE =
  "x <!channel> <@U999> <https://evil.example|Approve> [Approve](https://evil.example) *b* | c";

const incident: Incident = {
  id: "inc-19700101-x-ab12",
  title: HOSTILE,
  severity: "sev1",
  state: "resolved",
  phase: "long-term",
  commander: "U1",
  declaredBy: "U2",
  hosts: ["proxy-1"],
  channel: "C1",
  messageRef: null,
  declaredAt: 0,
  mitigatedAt: null,
  resolvedAt: 60_000,
  summary: `${HOSTILE}\n# not a heading\n1. not a list`,
};

const events: TimelineEvent[] = [
  {
    type: "declared",
    key: "declared",
    at: 0,
    actor: person("U2"),
    summary: `Declared "${HOSTILE}" (sev1)`,
    details: { title: HOSTILE, severity: "sev1", hosts: ["proxy-1"] },
  },
  {
    type: "commander-set",
    key: "commander",
    at: 1000,
    actor: person("U2"),
    summary: "Commander: U1",
    details: { commander: "U1" },
  },
  {
    type: "note",
    key: "note",
    at: 2000,
    actor: BOT,
    summary: `Note: ${HOSTILE}`,
    details: { text: HOSTILE },
  },
  {
    type: "diagnosis",
    key: "diagnosis:run-1",
    at: 3000,
    actor: BOT,
    summary: "Diagnosis: upstream_refused on proxy-1",
    details: {
      runId: "run-1",
      diagnosis: {
        cause: "upstream_refused",
        hosts: ["proxy-1"],
        summary: "Connection refused",
        recommendation: "Start the upstream",
      },
      perHost: { "proxy-1": "upstream_refused" },
      evidence: { "proxy-1": [`AH00957: referer ${HOSTILE}`] },
    },
  },
];

describe("the timeline stores plain text; surfaces render people from the details", () => {
  it("names the new commander from the event's details, as a person", () => {
    expect(describeEvent(events[1] as TimelineEvent)).toEqual(["Commander: ", { person: "U1" }]);
  });

  it("keeps every summary a plain string part, whoever wrote it", () => {
    const parts = timelineText(events);
    expect(parts).toContainEqual({ person: "U2" });
    expect(parts).toContain(`Note: ${HOSTILE}`);
    expect(renderTimelineText(events).split("\n")[1]).toBe("00:00:01 UTC  @U2  Commander: @U1");
    expect(plainMessage(parts)).not.toContain("<@U1>");
  });
});

describe("the Markdown postmortem quotes foreign text so no viewer or chat acts on it", () => {
  it("escapes inline Markdown, HTML and chat markup", () => {
    expect(md("http_code=[1-4][0-9] snake_case")).toBe("http_code=[1-4][0-9] snake_case");
    expect(md("a <!channel> & [x](https://e) *b* _c_ `d` | e\nf")).toBe(
      "a &lt;!channel&gt; &amp; [x\\](https://e) \\*b\\* \\_c\\_ \\`d\\` \\| e f",
    );
  });

  it("leaves no raw mention, link or heading from a title, a summary or a note", () => {
    const text = renderPostmortem(incident, events, 60_000, 60_000);
    for (const live of ["<!channel>", "<@U999>", "<https://evil", "[Approve](", "<@U1>", "<@U2>"]) {
      expect(text).not.toContain(live);
    }
    expect(text).toContain("# Postmortem: x &lt;!channel&gt;");
    expect(text).toContain("\\# not a heading");
    expect(text).toContain("1\\. not a list");
    expect(text).toContain("commander @U1");
    expect(text).toContain("| 00:00:01 UTC | @U2 | Commander: @U1 |");
    expect(text).toContain("  - Evidence on proxy-1:\n    - AH00957: referer x &lt;!channel&gt;");
    // One table row per event, whatever the summary holds.
    expect(text.split("\n").filter((line) => line.startsWith("| 00:00:02 UTC"))).toHaveLength(1);
  });
});
