import {
  planCommands,
  runHostSteps,
  runPlaybook,
  type ResolvedHost,
} from "../../../src/engine/host-steps";
import { Playbook } from "../../../src/domain/playbook";
import { RemoteError } from "../../../src/ports/remote-executor";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";

const playbook = Playbook.parse({
  id: "sample",
  title: "Sample",
  description: "Steps of every kind",
  vars: {
    error_log: { type: "path", default: "/var/log/apache2/error.log" },
    upstream_url: { type: "url" },
  },
  phases: {
    immediate: [
      {
        id: "errors",
        title: "Errors",
        kind: "diagnostic",
        run: "tail -n 5 {{ error_log }}",
        parse: "apache-error-log",
      },
      {
        id: "port",
        title: "Port",
        kind: "check",
        run: "nc -z {{ upstream_url | host }} {{ upstream_url | port }}",
        expect: { exitCode: 0 },
      },
      {
        id: "reload",
        title: "Reload",
        kind: "remediation",
        run: "apache2ctl graceful",
        precheck: { run: "apache2ctl configtest" },
        verify: { run: "curl -fsS {{ upstream_url }}" },
      },
      { id: "tick", title: "Tick", kind: "manual" },
    ],
  },
});

const steps = playbook.phases.immediate ?? [];

function host(name: string, vars: Record<string, string | number> = {}): ResolvedHost {
  return {
    name,
    kind: "apache",
    vars: { upstream_url: "http://backend:8080/", ...vars },
    target: {
      name,
      address: "127.0.0.1",
      port: 22,
      user: "root",
      privateKeyPath: "k",
      knownHostsPath: "kh",
    },
  };
}

describe("runHostSteps", () => {
  it("runs steps in order over one connection and gives each kind its status", async () => {
    const executor = new FakeRemoteExecutor().reply((_h, command) =>
      command.startsWith("nc") ? { exitCode: 1, stderr: "refused" } : { stdout: "line\n" },
    );
    const report = await runHostSteps(executor, playbook, steps, host("proxy-1"));
    expect(executor.connects).toEqual(["proxy-1"]);
    expect(executor.closed).toEqual(["proxy-1"]);
    expect(executor.commands.map((c) => c.command)).toEqual([
      "tail -n 5 '/var/log/apache2/error.log'",
      "nc -z 'backend' '8080'",
    ]);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ["errors", "ok"],
      ["port", "failed"],
      ["reload", "awaiting-approval"],
      ["tick", "skipped"],
    ]);
    expect(report.steps[1]?.reason).toBe("exit code 1, expected 0");
    expect(report.steps[2]?.output).toContain("precheck: apache2ctl configtest");
  });

  it("turns an unreachable host into error steps with the reason, without throwing", async () => {
    const executor = new FakeRemoteExecutor().failConnect(
      "proxy-1",
      new RemoteError("unreachable", "connection refused", true),
    );
    const report = await runHostSteps(executor, playbook, steps, host("proxy-1"));
    expect(executor.connects).toEqual(["proxy-1"]);
    expect(report.steps.slice(0, 2).map((s) => s.status)).toEqual(["error", "error"]);
    expect(report.steps[0]?.reason).toBe("cannot reach host: connection refused [unreachable]");
  });

  it("reports a timed-out command as an error that says it was ended", async () => {
    const executor = new FakeRemoteExecutor().reply(() => ({ exitCode: 124, timedOut: true }));
    const report = await runHostSteps(executor, playbook, steps.slice(0, 1), host("proxy-1"));
    expect(report.steps[0]).toMatchObject({
      status: "error",
      reason: expect.stringMatching(/timed out after 30s/),
    });
  });

  it("refuses to run anything when a host variable does not fit its type", async () => {
    const executor = new FakeRemoteExecutor();
    const report = await runHostSteps(
      executor,
      playbook,
      steps.slice(0, 2),
      host("p", { upstream_url: "not a url" }),
    );
    expect(executor.connects).toEqual([]);
    expect(report.steps[0]?.reason).toMatch(/^invalid variables: variable "upstream_url"/);
  });

  it("skips steps already recorded and calls the hooks around the others", async () => {
    const executor = new FakeRemoteExecutor();
    const seen: string[] = [];
    await runHostSteps(executor, playbook, steps.slice(0, 2), host("p"), {
      shouldSkip: (_h, step) =>
        step.id === "errors"
          ? { id: "errors", status: "ok", exitCode: 0, durationMs: 1, output: "" }
          : null,
      onStepStarted: (h, step) => void seen.push(`start ${h} ${step.id}`),
      onStepFinished: (h, step, result) => void seen.push(`end ${h} ${step.id} ${result.status}`),
    });
    expect(seen).toEqual(["start p port", "end p port ok"]);
    expect(executor.commands).toHaveLength(1);
  });

  it("reconnects once when the connection is lost mid-step", async () => {
    let calls = 0;
    const executor = new FakeRemoteExecutor().reply(() =>
      ++calls === 1 ? new RemoteError("disconnected", "socket closed", true) : { stdout: "x" },
    );
    const report = await runHostSteps(executor, playbook, steps.slice(0, 2), host("p"));
    expect(report.steps.map((s) => s.status)).toEqual(["error", "ok"]);
    expect(executor.connects).toEqual(["p", "p"]);
  });
});

describe("runPlaybook", () => {
  it("runs every host, goes on past an unreachable one and keeps input order", async () => {
    const executor = new FakeRemoteExecutor().failConnect(
      "proxy-2",
      new RemoteError("timeout", "no answer", true),
    );
    const report = await runPlaybook(
      { executor, nowMs: () => 0 },
      {
        playbook,
        phase: "immediate",
        hosts: ["proxy-1", "proxy-2", "proxy-3"].map((n) => host(n)),
        concurrency: 2,
      },
    );
    expect(report.playbook).toBe("sample");
    expect(report.hosts.map((h) => h.host)).toEqual(["proxy-1", "proxy-2", "proxy-3"]);
    expect(report.hosts[1]?.steps[0]?.status).toBe("error");
    expect(report.hosts[2]?.steps[0]?.status).toBe("ok");
    expect(typeof report.diagnosis.summary).toBe("string");
  });
});

describe("planCommands", () => {
  it("lists the exact commands of every step, remediation precheck and verify included", () => {
    expect(planCommands(playbook, "immediate", host("p"))).toEqual([
      {
        stepId: "errors",
        kind: "diagnostic",
        commands: ["tail -n 5 '/var/log/apache2/error.log'"],
      },
      { stepId: "port", kind: "check", commands: ["nc -z 'backend' '8080'"] },
      {
        stepId: "reload",
        kind: "remediation",
        commands: [
          "apache2ctl configtest",
          "apache2ctl graceful",
          "curl -fsS 'http://backend:8080/'",
        ],
      },
      { stepId: "tick", kind: "manual", commands: [] },
    ]);
  });

  it("throws a non-retryable input error for variables that do not fit", () => {
    expect(() => planCommands(playbook, "immediate", host("p", { upstream_url: 5 }))).toThrow(
      expect.objectContaining({ code: "invalid-variables", retryable: false }),
    );
  });
});
