import { openChannel, declareIncident } from "../../../src/app/declare-incident";
import { declareAlerted } from "../../../src/app/receive-alert";
import { setCommander } from "../../../src/app/set-commander";
import { RUNBOOK_TARGETS } from "../../../src/domain/key-figures";
import { renderPostmortem } from "../../../src/domain/postmortem";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

const source = {
  kind: "integration" as const,
  integration: "alertmanager" as const,
  dedupeKey: '{}:{alertname="ProxyDown"}',
  alert: "ProxyDown",
  url: "http://prometheus:9090/graph",
};

describe("an incident an alert declared", () => {
  let h: Harness;

  beforeEach(() => {
    h = lifecycleHarness({
      executor: new FakeRemoteExecutor(),
      hosts: testHosts(["proxy-1"]),
      settings: { responders: ["U-RESPONDER"] },
    });
  });

  const declare = async () => {
    const result = await declareIncident(h.deps, {
      title: "ProxyDown",
      severity: "sev2",
      hosts: ["proxy-1"],
      declaredBy: "alertmanager",
      source,
      openChannelNow: false,
    });
    if (!result.ok) throw new Error(result.message);
    return result.value.incident;
  };

  test("has its source and no commander, and leaves the channel to the announce job", async () => {
    const incident = await declare();
    expect(incident).toMatchObject({ source, commander: null, channel: null });
    const [declared] = await h.timeline.read(incident.id);
    expect(declared).toMatchObject({ type: "declared", actor: { kind: "bot" } });
  });

  test("its channel invites the responders, not the alerting tool", async () => {
    const incident = await declare();
    await openChannel(h.deps, incident);
    const created = h.chat.calls.find((c) => c.kind === "createIncidentChannel");
    expect(created).toMatchObject({ members: ["U-RESPONDER"] });
  });

  test("`/incident commander @me` gives it to whoever typed it", async () => {
    const incident = await declare();
    const result = await setCommander(h.deps, {
      incident: { incidentId: incident.id },
      commander: "me",
      by: "U-TAKER",
    });
    expect(result).toMatchObject({ ok: true, value: { commander: "U-TAKER" } });
    expect((await h.incidents.get(incident.id))?.commander).toBe("U-TAKER");
  });

  test("its postmortem names the alert that declared it, not a user called alertmanager", async () => {
    const incident = await declare();
    const events = await h.timeline.read(incident.id);
    const text = renderPostmortem(incident, events, incident.declaredAt, 60_000, RUNBOOK_TARGETS);
    expect(text).toContain(`by the alertmanager alert "ProxyDown"`);
    expect(text).not.toContain("<@alertmanager>");
  });
});

describe("the declare job of an alert", () => {
  let h: Harness;
  let released: string[];
  const alerts = {
    release: async (_integration: string, _key: string, id: string) => {
      released.push(id);
    },
    forgetDeclare: async () => undefined,
  };
  const job = {
    incidentId: "inc-20261203-proxydown-abc123",
    title: "ProxyDown",
    severity: "sev2" as const,
    hosts: ["proxy-1"],
    declaredBy: "alertmanager",
    declaredAt: 1_700_000_000_000,
    source,
    firing: {
      type: "alert" as const,
      key: "alert-firing",
      at: 1_700_000_000_000,
      actor: { kind: "bot" as const },
      summary: "Opened by Alertmanager: ProxyDown",
      details: {
        integration: "alertmanager" as const,
        status: "firing" as const,
        alert: "ProxyDown",
        url: null,
      },
    },
  };

  beforeEach(() => {
    released = [];
    h = lifecycleHarness({ executor: new FakeRemoteExecutor(), hosts: testHosts(["proxy-1"]) });
  });

  test("saves the incident at the alert's time with `declared` then the firing, each announced", async () => {
    const incident = await declareAlerted({ ...h.deps, alerts }, job, { isLastAttempt: false });
    expect(incident).toMatchObject({ id: job.incidentId, declaredAt: job.declaredAt, source });
    const events = await h.timeline.read(job.incidentId);
    expect(events.map((e) => e.key).slice(0, 2)).toEqual(["declared", "alert-firing"]);
    expect(h.queue.announcements.map((a) => a.eventKey).slice(0, 2)).toEqual([
      "declared",
      "alert-firing",
    ]);
    expect(h.queue.hostRuns.map((r) => r.host)).toEqual(["proxy-1"]);
  });

  test("run again (a retried attempt) adds nothing: one incident, each event and job once", async () => {
    await declareAlerted({ ...h.deps, alerts }, job, { isLastAttempt: false });
    const again = await declareAlerted({ ...h.deps, alerts }, job, { isLastAttempt: false });
    expect(again.id).toBe(job.incidentId);
    const keys = (await h.timeline.read(job.incidentId)).map((e) => e.key);
    expect(keys).toEqual([...new Set(keys)]);
    expect(keys.filter((k) => k === "declared" || k === "alert-firing")).toHaveLength(2);
    expect(h.queue.hostRuns).toHaveLength(1);
    expect(await h.incidents.list({ openOnly: true, limit: 10 })).toHaveLength(1);
  });

  test("giving up releases the claim when nothing was saved, and keeps it when the incident was", async () => {
    const broken = { ...job, title: " " };
    await expect(
      declareAlerted({ ...h.deps, alerts }, broken, { isLastAttempt: false }),
    ).rejects.toMatchObject({ retryable: false });
    expect(released).toEqual([job.incidentId]);

    released = [];
    await declareAlerted({ ...h.deps, alerts }, job, { isLastAttempt: false });
    // The queue refuses every announcement, as when Redis went away mid-declare.
    const queue = Object.assign(Object.create(h.deps.queue) as typeof h.deps.queue, {
      announce: () => Promise.reject(new Error("redis gone")),
    });
    const failing = { ...h.deps, alerts, queue };
    await expect(declareAlerted(failing, job, { isLastAttempt: true })).rejects.toThrow(
      "redis gone",
    );
    expect(released).toEqual([]);
  });
});
