import { buildIncidentView } from "../../../src/app/build-incident-view";
import { getIncidentView, openAndRecentIncidents } from "../../../src/app/get-incident-view";
import { RUNBOOK_TARGETS } from "../../../src/domain/key-figures";
import type { TimelineEvent } from "../../../src/domain/timeline";
import { hostileEvents, hostileIncident, T0 } from "../../fixtures/incident-page/hostile-incident";
import { InMemoryIncidentStore, InMemoryTimelineStore } from "../../fakes/in-memory-ports";

const MIN = 60_000;
const settings = { phaseMinuteMs: MIN, targets: RUNBOOK_TARGETS };
const view = () => buildIncidentView(hostileIncident, hostileEvents(), T0 + 20 * MIN, settings);

describe("the incident view, a pure function of the incident and its timeline", () => {
  it("spans the phases as they happened beside the runbook's windows", () => {
    expect(view().phases).toEqual([
      {
        phase: "immediate",
        startAt: T0,
        endAt: T0 + 15 * MIN,
        plannedStartAt: T0,
        plannedEndAt: T0 + 15 * MIN,
      },
      {
        phase: "short-term",
        startAt: T0 + 15 * MIN,
        endAt: null,
        plannedStartAt: T0 + 15 * MIN,
        plannedEndAt: T0 + 60 * MIN,
      },
    ]);
    expect(view().elapsedMs).toBe(20 * MIN);
  });

  it("sets the key figures against the targets of 15 and 10 minutes", () => {
    const [first, recovery, resolve] = view().figures;
    expect(first).toEqual(
      expect.objectContaining({ actualMs: 30_000, targetMs: 15 * MIN, met: true }),
    );
    expect(recovery).toEqual(expect.objectContaining({ actualMs: null, targetMs: 10 * MIN }));
    expect(resolve?.targetMs).toBeNull();
  });

  it("keeps the diagnosis with its evidence lines per host", () => {
    const [d] = view().diagnoses;
    expect(d?.diagnosis.cause).toBe("upstream_refused");
    expect(d?.evidence[0]?.lines[0]).toMatch(/^AH00957: evidence/);
  });

  it("groups step results per host and caps long output, keeping its end", () => {
    const hosts = view().hosts;
    expect(hosts.map((h) => h.host)).toEqual(["proxy-1", hostileIncident.hosts[1]]);
    const long = hosts[1]?.steps[0];
    expect(long?.output.cutChars).toBeGreaterThan(0);
    expect(long?.output.text.length).toBeLessThanOrEqual(8000);
    expect(long?.reason).toMatch(/^reason /);
  });

  it("says who approved what, when, and what ran", () => {
    const [a] = view().approvals;
    expect(a).toEqual(
      expect.objectContaining({
        state: "approved",
        requestedBy: "bot",
        commands: [expect.stringMatching(/^apache2ctl graceful/)],
        decisions: [{ by: expect.stringMatching(/^UBOB/), at: T0 + 2 * MIN, decision: "approved" }],
        outcomes: [
          {
            host: "proxy-1",
            at: T0 + 3 * MIN,
            precheck: "ok",
            action: "ok",
            verification: "ok",
          },
        ],
      }),
    );
  });

  it("counts an approval as approved only once the required number is in", () => {
    const events = hostileEvents().map((e): TimelineEvent =>
      e.type === "approval-granted"
        ? { ...e, details: { ...e.details, approvals: 1, required: 2 } }
        : e,
    );
    const [a] = buildIncidentView(hostileIncident, events, T0, settings).approvals;
    expect(a?.state).toBe("pending");
    expect(a?.required).toBe(2);
  });

  it("draws the 5xx share per host from the access-log lines, each line once", () => {
    const events = hostileEvents();
    const repeated = events.find((e) => e.type === "step-finished");
    const twice = [...events, { ...(repeated as TimelineEvent), key: "again" }];
    const [rate] = buildIncidentView(hostileIncident, twice, T0, settings).errorRates;
    expect(rate?.host).toBe("proxy-1");
    const requests = rate?.points.reduce((n, p) => n + p.requests, 0);
    const errors = rate?.points.reduce((n, p) => n + p.errors, 0);
    expect([requests, errors]).toEqual([20, 10]);
    expect(rate?.bucketMs).toBe(MIN);
  });

  it("uses the request counts a step recorded, taking each minute from the read that saw most", () => {
    const counted = (at: number, requests: number, errors: number): TimelineEvent => ({
      type: "step-finished",
      key: `counted-${at}-${requests}`,
      at,
      actor: { kind: "bot" },
      summary: "Step access-log-recent on proxy-9: ok",
      details: {
        runId: "run-2",
        host: "proxy-9",
        stepId: "recent-traffic",
        title: "Recent traffic",
        status: "ok",
        exitCode: 0,
        durationMs: 5,
        output: "",
        requestsPerMinute: [
          { at, requests, errors },
          { at: at + MIN, requests: 4, errors: 0 },
        ],
      },
    });
    const events = [counted(T0, 10, 5), counted(T0 + MIN, 6, 6)];
    const [rate] = buildIncidentView(hostileIncident, events, T0, settings).errorRates;
    expect(rate?.points).toEqual([
      { at: T0, requests: 10, errors: 5 },
      { at: T0 + MIN, requests: 6, errors: 6 },
      { at: T0 + 2 * MIN, requests: 4, errors: 0 },
    ]);
  });

  it("lists every event, people as parts the surface names", () => {
    const timeline = view().timeline;
    expect(timeline).toHaveLength(hostileEvents().length);
    expect(timeline[1]?.text).toEqual(["Commander: ", { person: hostileIncident.commander }]);
  });
});

describe("getIncidentView and openAndRecentIncidents read the stores and the clock only", () => {
  it("finds the incident and its timeline, and says null for an unknown one", async () => {
    const incidents = new InMemoryIncidentStore();
    const timeline = new InMemoryTimelineStore();
    await incidents.create(hostileIncident);
    for (const e of hostileEvents()) await timeline.append(hostileIncident.id, e);
    const deps = { incidents, timeline, clock: { now: () => T0 + MIN }, settings };
    expect((await getIncidentView(deps, hostileIncident.id))?.timeline).toHaveLength(12);
    expect(await getIncidentView(deps, "inc-20261122-none")).toBeNull();
    await incidents.create({ ...hostileIncident, id: "inc-20261121-old", state: "resolved" });
    expect((await openAndRecentIncidents(deps)).map((i) => i.id)).toEqual([
      hostileIncident.id,
      "inc-20261121-old",
    ]);
  });
});
