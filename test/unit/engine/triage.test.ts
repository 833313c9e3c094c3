import { runHostSteps, runPlaybook, type ResolvedHost } from "../../../src/engine/host-steps";
import type { HostReport } from "../../../src/domain/step-result";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { REFUSED_LINES, triagePlaybook } from "../../fakes/triage-playbook";

const playbook = triagePlaybook();
const steps = playbook.phases.immediate ?? [];

const host = (name: string): ResolvedHost => ({
  name,
  kind: "apache",
  vars: {},
  target: {
    name,
    address: "127.0.0.1",
    port: 22,
    user: "root",
    privateKeyPath: "k",
    knownHostsPath: "kh",
  },
});

/** A host whose upstream refuses: the log says so, and the probe cannot connect. */
const refusing = () =>
  new FakeRemoteExecutor().reply((_h, command) => {
    if (command === "echo errors") return { stdout: `${REFUSED_LINES}\n` };
    if (command === "echo probe") return { exitCode: 7, stdout: "http_code=000\n" };
    if (command === "echo status") return { stdout: "BusyWorkers: 5\nIdleWorkers: 0\n" };
    return { stdout: "ok\n" };
  });

describe("triage in the engine", () => {
  it("runs the triage steps first and reports their findings before any deeper step starts", async () => {
    const executor = refusing();
    const order: string[] = [];
    let triage: HostReport | null = null;
    const report = await runHostSteps(executor, playbook, steps, host("proxy-1"), {
      onStepStarted: (_h, step) => {
        order.push(`start ${step.id}`);
      },
      onTriage: (_h, triaged) => {
        order.push("triage");
        triage = triaged;
      },
    });
    expect(executor.commands.map((c) => c.command)).toEqual([
      "echo errors",
      "echo probe",
      "echo status",
      "echo front",
    ]);
    expect(order).toEqual([
      "start errors",
      "start probe",
      "triage",
      "start workers",
      "start front",
      "start reload",
    ]);
    const triaged = triage as HostReport | null;
    expect(triaged?.steps.map((s) => s.id)).toEqual(["errors", "probe"]);
    expect(triaged?.findings[0]?.cause).toBe("upstream_refused");
    // The deeper steps add what only they can see; the report keeps the playbook's order.
    expect(report.findings.map((f) => f.cause)).toContain("proxy_exhausted");
    expect(report.steps.map((s) => s.id)).toEqual([
      "workers",
      "front",
      "errors",
      "probe",
      "reload",
    ]);
  });

  it("holds the deeper steps until deeperStepsAfter resolves, after the triage is reported", async () => {
    const executor = refusing();
    const order: string[] = [];
    let release: () => void = () => undefined;
    let sentWhileHeld: string[] = [];
    const held = new Promise<void>((done) => (release = done));
    const running = runHostSteps(executor, playbook, steps, host("proxy-1"), {
      onStepStarted: (_h, step) => {
        order.push(`start ${step.id}`);
      },
      onTriage: () => {
        order.push("triage");
      },
      deeperStepsAfter: (name) => {
        order.push(`hold ${name}`);
        setTimeout(() => {
          sentWhileHeld = executor.commands.map((c) => c.command);
          release();
        }, 50);
        return held;
      },
    });
    const report = await running;
    expect(sentWhileHeld).toEqual(["echo errors", "echo probe"]);
    expect(order).toEqual([
      "start errors",
      "start probe",
      "triage",
      "hold proxy-1",
      "start workers",
      "start front",
      "start reload",
    ]);
    expect(report.steps.map((s) => s.id)).toEqual([
      "workers",
      "front",
      "errors",
      "probe",
      "reload",
    ]);
    expect(report.findings.map((f) => f.cause)).toContain("proxy_exhausted");
  });

  it("reports triage from recorded results too, so a retried job tells it again without rerunning", async () => {
    const first = refusing();
    const done = await runHostSteps(first, playbook, steps, host("proxy-1"));
    const recorded = new Map(done.steps.map((s) => [s.id, s]));
    const retry = refusing();
    const told: string[][] = [];
    await runHostSteps(retry, playbook, steps, host("proxy-1"), {
      shouldSkip: (_h, step) => (step.id === "workers" ? null : (recorded.get(step.id) ?? null)),
      onTriage: (_h, triaged) => {
        told.push(triaged.findings.map((f) => f.cause));
      },
    });
    expect(retry.commands.map((c) => c.command)).toEqual(["echo status"]);
    expect(told).toEqual([["upstream_refused"]]);
  });

  it("runs only the triage steps when asked, with their diagnosis", async () => {
    const executor = refusing();
    const report = await runPlaybook(
      { executor, nowMs: () => Date.now() },
      { playbook, phase: "immediate", hosts: [host("proxy-1"), host("proxy-2")], triageOnly: true },
    );
    expect(new Set(executor.commands.map((c) => c.command))).toEqual(
      new Set(["echo errors", "echo probe"]),
    );
    expect(report.hosts[0]?.steps.map((s) => s.id)).toEqual(["errors", "probe"]);
    expect(report.diagnosis.cause).toBe("upstream_refused");
  });
});
