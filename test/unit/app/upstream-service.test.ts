import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { declareIncident } from "../../../src/app/declare-incident";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { runIncidentPlaybook } from "../../../src/app/run-incident-playbook";
import { Playbook } from "../../../src/domain/playbook";
import type { TimelineEvent } from "../../../src/domain/timeline";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

// A proxy whose inventory entry names its upstream's systemd service: the phase also asks systemd
// on the service's host, and a unit that is down gets its restart offered, not a proxy reload.
const shipped = (id: string): Playbook =>
  Playbook.parse(parse(readFileSync(join(__dirname, "../../../playbooks", `${id}.yaml`), "utf8")));

const proxyPlaybook = Playbook.parse({
  id: "apache-test",
  proxy: "apache",
  title: "apache test",
  description: "One log step and a reload.",
  phases: {
    immediate: [
      {
        id: "error-log",
        title: "Error log",
        kind: "diagnostic",
        run: "cat apache.log",
        parse: "apache-error-log",
      },
      {
        id: "reload",
        title: "Reload Apache",
        kind: "remediation",
        offerFor: ["upstream_refused", "dns_failure"],
        run: "apache2ctl graceful",
        precheck: { run: "true" },
        verify: { run: "true", attempts: 1, interval: "1s" },
      },
    ],
  },
});

const refused =
  "[Thu Jan 15 09:59:00.000000 2026] [proxy:error] [pid 1:tid 2] (111)Connection refused: AH00957: http: attempt to connect to 10.0.0.5:8080 (app.internal:8080) failed";

function fleet(unitState: "active" | "inactive"): Harness {
  const executor = new FakeRemoteExecutor().reply((_host, command) => {
    if (command.includes("cat apache.log"))
      return { exitCode: 0, stdout: `clock: 1768471200 +0000\n${refused}` };
    if (command.includes("is-active"))
      return { exitCode: unitState === "active" ? 0 : 3, stdout: `${unitState}\n` };
    return { exitCode: 0, stdout: "" };
  });
  const hosts = [
    ...testHosts(["web-1"]).map((h) => ({ ...h, upstreamService: "app" })),
    ...testHosts(["web-2"]),
    ...testHosts(["app-1"]),
  ];
  return lifecycleHarness({
    executor,
    hosts,
    playbooks: [proxyPlaybook, shipped("upstream-systemd")],
    services: { app: { manager: "systemd", hosts: ["app-1"], unit: "app.service" } },
    settings: { approvers: ["U-APPROVER"], defaultPlaybooks: { apache: "apache-test" } },
  });
}

const ofType = <T extends TimelineEvent["type"]>(events: TimelineEvent[], type: T) =>
  events.filter((e): e is Extract<TimelineEvent, { type: T }> => e.type === type);

async function declareAndRun(h: Harness): Promise<TimelineEvent[]> {
  const declared = await declareIncident(h.deps, {
    title: "Checkout answers 502",
    hosts: ["web-1", "web-2"],
    declaredBy: "U-DECL",
  });
  if (!declared.ok) throw new Error(declared.message);
  for (const job of [...h.queue.hostRuns])
    await executeHostRun(h.deps, job, { isLastAttempt: true });
  return h.timeline.read(declared.value.incident.id);
}

describe("an upstream service the inventory names", () => {
  it("is checked on its own host in the same phase and joins the one diagnosis", async () => {
    const events = await declareAndRun(fleet("inactive"));
    const started = ofType(events, "playbook-started");
    expect(started.map((e) => [e.details.playbook, e.details.hosts])).toEqual([
      ["apache-test", ["web-1", "web-2"]],
      ["upstream-systemd", ["app-1"]],
    ]);
    // The service's is-active is a triage step: the first answer already covers the service host.
    const [triage, diagnosis, ...more] = ofType(events, "diagnosis");
    expect(more).toHaveLength(0);
    expect(triage?.details).toMatchObject({
      stage: "triage",
      perHost: { "app-1": "upstream_refused" },
    });
    expect(diagnosis?.details.stage).toBe("final");
    expect(diagnosis?.details.perHost).toEqual({
      "web-1": "upstream_refused",
      "web-2": "upstream_refused",
      "app-1": "upstream_refused",
    });
    // The proxies in Apache's words, the service host as the service it checked.
    const { recommendation } = diagnosis?.details.diagnosis ?? {};
    expect(recommendation).toMatch(/as seen from web-1 and web-2:/);
    expect(recommendation).toContain(
      "The upstream service app (systemd on app-1) is not running: restart it",
    );
  });

  it("down: its restart is offered on its host, and the reload only where no service is named", async () => {
    const events = await declareAndRun(fleet("inactive"));
    const requested = ofType(events, "approval-requested");
    expect(requested.map((e) => [e.details.stepId, e.details.hosts, e.details.commands])).toEqual([
      ["reload", ["web-2"], ["apache2ctl graceful"]],
      ["restart-service", ["app-1"], ["'systemctl' restart 'app.service' 2>&1"]],
    ]);
  });

  it("is not run by name from chat, which could not give it the service's variables", async () => {
    const h = fleet("inactive");
    const declared = await declareIncident(h.deps, {
      title: "Checkout answers 502",
      hosts: ["web-1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const refused = await runIncidentPlaybook(h.deps, {
      incident: { incidentId: declared.value.incident.id },
      playbook: "upstream-systemd",
      phase: "immediate",
      hosts: ["app-1"],
      by: "U-OPS",
    });
    expect(refused).toMatchObject({ ok: false, code: "invalid-input" });
    expect(refused.ok ? "" : refused.message).toMatch(/upstreamService:/);
  });

  it("active: no restart is offered, and the proxies keep their reload", async () => {
    const events = await declareAndRun(fleet("active"));
    const requested = ofType(events, "approval-requested");
    expect(requested.map((e) => [e.details.stepId, e.details.hosts])).toEqual([
      ["reload", ["web-1", "web-2"]],
    ]);
  });
});
