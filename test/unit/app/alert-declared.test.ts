import { openChannel, declareIncident } from "../../../src/app/declare-incident";
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
