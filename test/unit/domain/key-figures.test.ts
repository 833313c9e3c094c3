import { describeKeyFigures, keyFigures } from "../../../src/domain/key-figures";
import { renderPostmortem } from "../../../src/domain/postmortem";
import type { Incident } from "../../../src/domain/incident";
import type { TimelineEvent } from "../../../src/domain/timeline";
import { renderTimelineText } from "../../../src/domain/timeline-render";

const min = 60_000;
const bot = { kind: "bot" } as const;
const events: TimelineEvent[] = [
  {
    type: "declared",
    key: "declared",
    at: 0,
    actor: { kind: "person", id: "U1" },
    summary: "Declared",
    details: { title: "502s", severity: "sev1", hosts: ["proxy-1"] },
  },
  {
    type: "playbook-started",
    key: "p",
    at: 1000,
    actor: bot,
    summary: "started",
    details: {
      runId: "run-1",
      playbook: "apache-502",
      phase: "long-term",
      hosts: [],
      steps: [{ id: "alerting", title: "Alert on 502 rate", kind: "manual" }],
    },
  },
  {
    type: "diagnosis",
    key: "diagnosis:run-1",
    at: 4 * min,
    actor: bot,
    summary: "Diagnosis: upstream_refused",
    details: {
      runId: "run-1",
      diagnosis: {
        cause: "upstream_refused",
        hosts: ["proxy-1"],
        summary: "Connection refused by the backend",
        recommendation: "Start the backend",
      },
      perHost: { "proxy-1": "upstream_refused" },
    },
  },
  {
    type: "state-changed",
    key: "state-mitigated",
    at: 12 * min,
    actor: { kind: "person", id: "U1" },
    summary: "Mitigated",
    details: { from: "open", to: "mitigated" },
  },
  {
    type: "phase-changed",
    key: "phase:long-term",
    at: 12 * min,
    actor: bot,
    summary: "Phase: long-term",
    details: { from: "immediate", to: "long-term" },
  },
  {
    type: "resolved",
    key: "resolved",
    at: 90 * min,
    actor: { kind: "person", id: "U1" },
    summary: "Resolved | backend restarted",
    details: { summary: "backend restarted" },
  },
];

describe("key figures", () => {
  const figures = keyFigures(events, 100 * min, min);

  it("measures time to first diagnosis, mitigation and resolution from declaration", () => {
    expect(figures.toFirstDiagnosisMs).toBe(4 * min);
    expect(figures.toMitigationMs).toBe(12 * min);
    expect(figures.toResolveMs).toBe(90 * min);
  });

  it("compares them with the runbook's targets", () => {
    expect(figures.firstResponseMet).toBe(true);
    expect(figures.recoveryMet).toBe(false);
    expect(describeKeyFigures(figures)[1]).toContain("❌");
  });

  it("adds up the time spent in each phase until resolution", () => {
    expect(figures.perPhaseMs).toEqual({
      immediate: 12 * min,
      "short-term": 0,
      "long-term": 78 * min,
    });
  });

  it("scales targets with a shrunken incident clock", () => {
    const fast = keyFigures(events, 100 * min, 1);
    expect(fast.firstResponseMet).toBe(false);
  });
});

describe("timeline rendering", () => {
  it("prints one line per event with time and actor", () => {
    const lines = renderTimelineText(events).split("\n");
    expect(lines).toHaveLength(events.length);
    expect(lines[0]).toBe("00:00:00 UTC  @U1  Declared");
  });

  it("renders a postmortem with every section and the long-term follow-ups", () => {
    const incident: Incident = {
      id: "inc-19700101-x",
      title: "502s",
      severity: "sev1",
      state: "resolved",
      phase: "long-term",
      commander: "U1",
      declaredBy: "U1",
      hosts: ["proxy-1"],
      channel: "C1",
      messageRef: null,
      declaredAt: 0,
      mitigatedAt: 12 * min,
      resolvedAt: 90 * min,
      summary: "backend restarted",
    };
    const md = renderPostmortem(incident, events, 100 * min, min);
    for (const heading of [
      "## Summary",
      "## Impact",
      "## Timeline",
      "## Diagnosis",
      "## Actions",
      "## Follow-ups",
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("- [ ] Alert on 502 rate");
    expect(md).toContain("**upstream_refused**");
    expect(md).toContain("Resolved \\| backend restarted");
  });
});
