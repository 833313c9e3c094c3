import { renderApprovalCard } from "../../../../../src/adapters/slack/blocks/approval-card";
import { renderIncidentCard } from "../../../../../src/adapters/slack/blocks/incident-card";
import { codeBlock, mrkdwn } from "../../../../../src/adapters/slack/blocks/limits";
import {
  renderMrkdwnMessage,
  renderTextMessage,
} from "../../../../../src/adapters/slack/blocks/text-message";
import { renderThreadReply } from "../../../../../src/adapters/slack/blocks/thread-reply";
import { personNamed, strong } from "../../../../../src/domain/message-text";
import type { ApprovalCard, IncidentCard } from "../../../../../src/ports/chat";

/** What a Referer, a note or a host's output can carry, meant to take effect in Slack. */
const HOSTILE = "x (<!channel> <@U999> <https://evil.example|Approve the fix here>) & <!here>";
const SHOWN =
  "x (&lt;!channel&gt; &lt;@U999&gt; &lt;https://evil.example|Approve the fix here&gt;) &amp; &lt;!here&gt;";
const LIVE = ["<!channel>", "<!here>", "<@U999>", "<https://evil"];

/** The rendered message carries the hostile text escaped, and none of its markup raw. */
function expectShownNotInterpreted(rendered: unknown): void {
  const json = JSON.stringify(rendered);
  for (const markup of LIVE) expect(json).not.toContain(markup);
  expect(json).toContain(JSON.stringify(SHOWN).slice(1, -1));
}

const incident: IncidentCard["incident"] = {
  id: "inc-20261122-api-502-ab12",
  title: HOSTILE,
  severity: "sev1",
  state: "open",
  phase: "immediate",
  commander: "U0COMMAND",
  declaredBy: "U0DECLARE",
  hosts: [HOSTILE],
  channel: "C1",
  messageRef: null,
  declaredAt: Date.UTC(2026, 10, 22, 22, 0, 0),
  mitigatedAt: null,
  resolvedAt: null,
  summary: HOSTILE,
};

describe("every piece of foreign text is escaped with Slack's &amp; &lt; &gt;", () => {
  test("a code block (step output, commands, outcomes)", () => {
    expect(codeBlock(`a & b <!channel>\n${HOSTILE}`)).toBe(
      "```a &amp; b &lt;!channel&gt;\n" + SHOWN + "```",
    );
  });

  test("a code block cut to its end still holds no raw markup", () => {
    const long = `${"<!channel>\n".repeat(1000)}${HOSTILE}`;
    const block = codeBlock(long, 500);
    expect(block.length).toBeLessThanOrEqual(506);
    for (const markup of LIVE) expect(block).not.toContain(markup);
  });

  test("a message: strings escaped, the person the bot names a mention, emphasis bold", () => {
    expect(
      mrkdwn(["Commander: ", personNamed("U0COMMAND"), " ", strong("<b>"), ` ${HOSTILE}`]),
    ).toBe(`Commander: <@U0COMMAND> *&lt;b&gt;* ${SHOWN}`);
    // A name that is not a user id the bot could have validated is text too.
    expect(mrkdwn([personNamed("<!channel>")])).toBe("&lt;!channel&gt;");
  });

  test("a channel message: blocks and the fallback text", () => {
    const rendered = renderTextMessage(`Note: ${HOSTILE}`);
    expectShownNotInterpreted(rendered.blocks);
    expect(rendered.text).toBe(`Note: ${SHOWN}`);
  });

  test("a long channel message split into sections", () => {
    const rendered = renderTextMessage(Array.from({ length: 400 }, () => HOSTILE).join("\n"));
    expect(rendered.blocks.length).toBeGreaterThan(1);
    for (const markup of LIVE) expect(JSON.stringify(rendered)).not.toContain(markup);
  });

  test("a thread reply: its line and its code", () => {
    const rendered = renderThreadReply(`Step error-log on ${HOSTILE}: failed`, HOSTILE);
    expectShownNotInterpreted(rendered);
    expect(JSON.stringify(rendered.blocks[1])).toContain("```" + SHOWN.replace(/"/g, '\\"'));
  });

  test("the adapter's own mrkdwn replies are sent as composed (they escape what they quote)", () => {
    const rendered = renderMrkdwnMessage("Declared *x* in <#C1>");
    expect(rendered.text).toBe("Declared *x* in <#C1>");
  });

  test("the incident card: header, title, hosts, checklist, diagnosis, summary", () => {
    const card: IncidentCard = {
      incident,
      elapsedMs: 0,
      checklist: [{ stepId: "s", title: HOSTILE, kind: "diagnostic", states: { [HOSTILE]: "ok" } }],
      diagnosis: {
        cause: "upstream_refused",
        hosts: [HOSTILE],
        summary: HOSTILE,
        recommendation: `Nothing listens on ${HOSTILE}`,
        others: [{ cause: "config_invalid", hosts: [HOSTILE] }],
      },
    };
    const rendered = renderIncidentCard(card);
    expectShownNotInterpreted(rendered);
    const json = JSON.stringify(rendered);
    // The people the bot itself names stay mentions.
    expect(json).toContain("<@U0COMMAND>");
    expect(json).toContain("<@U0DECLARE>");
    expect(JSON.stringify(rendered.blocks[0])).toContain("&lt;!channel&gt;");
  });

  test("the approval card: title, hosts, commands, precheck, outcome, the confirm dialog", () => {
    const card: ApprovalCard = {
      approvalId: "apr-1",
      incidentId: incident.id,
      title: HOSTILE,
      hosts: [HOSTILE],
      commands: [`echo '${HOSTILE}'`],
      precheck: HOSTILE,
      state: "pending",
      requestedBy: "U0DECLARE",
      decidedBy: null,
      approvals: [],
      required: 1,
      expiresAt: Date.UTC(2026, 10, 22, 22, 10, 0),
      outcome: null,
    };
    const pending = renderApprovalCard(card);
    expectShownNotInterpreted(pending);
    expect(JSON.stringify(pending)).toContain("<@U0DECLARE>");
    const decided = renderApprovalCard({
      ...card,
      state: "approved",
      decidedBy: "U0APPROVE",
      outcome: `precheck ok\n${HOSTILE}`,
    });
    expectShownNotInterpreted(decided);
    expect(JSON.stringify(decided)).toContain("<@U0APPROVE>");
  });
});
