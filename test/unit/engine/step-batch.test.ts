import { runHostSteps, type ResolvedHost } from "../../../src/engine/host-steps";
import { Playbook, type Step } from "../../../src/domain/playbook";
import type { StepResult } from "../../../src/domain/step-result";
import {
  RemoteError,
  type BatchEvents,
  type CommandOutcome,
  type CommandRequest,
  type RemoteExecutor,
  type RemoteSession,
} from "../../../src/ports/remote-executor";

const playbook = Playbook.parse({
  id: "batched",
  title: "Batched",
  description: "Command steps around a remediation and a manual item",
  vars: { upstream_url: { type: "url" } },
  phases: {
    immediate: [
      { id: "one", title: "One", kind: "diagnostic", run: "echo one" },
      { id: "two", title: "Two", kind: "check", run: "echo two", expect: { exitCode: 0 } },
      {
        id: "reload",
        title: "Reload",
        kind: "remediation",
        run: "apache2ctl graceful",
        precheck: { run: "apache2ctl configtest" },
        verify: { run: "curl -fsS {{ upstream_url }}" },
      },
      { id: "tick", title: "Tick", kind: "manual" },
      { id: "three", title: "Three", kind: "diagnostic", run: "echo three", timeout: "2s" },
    ],
  },
});
const steps = playbook.phases.immediate ?? [];

const host: ResolvedHost = {
  name: "proxy-1",
  kind: "apache",
  vars: { upstream_url: "http://backend:8080/" },
  target: {
    name: "proxy-1",
    address: "127.0.0.1",
    port: 22,
    user: "root",
    privateKeyPath: "k",
    knownHostsPath: "kh",
  },
};

const ok = (command: string): CommandOutcome => ({
  exitCode: 0,
  stdout: `${command.replace("echo ", "")}\n`,
  stderr: "",
  truncated: false,
  timedOut: false,
  durationMs: 1,
});

/** A session that runs batches; `loseAt` breaks the connection once that request has started. */
class BatchingExecutor implements RemoteExecutor {
  readonly log: string[] = [];
  readonly batches: CommandRequest[][] = [];

  constructor(private readonly loseAt: number | null = null) {}

  async connect(): Promise<RemoteSession> {
    return {
      run: async (request) => {
        this.log.push(`run ${request.command}`);
        return ok(request.command);
      },
      runBatch: async (requests: readonly CommandRequest[], events: BatchEvents) => {
        this.batches.push([...requests]);
        for (const [index, request] of requests.entries()) {
          this.log.push(`host started ${index}`);
          events.started(index);
          await new Promise((resolve) => setImmediate(resolve));
          if (index === this.loseAt) throw new RemoteError("disconnected", "reset", true);
          this.log.push(`host finished ${index}`);
          events.finished(index, ok(request.command));
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      close: async () => undefined,
    };
  }
}

function recordingHooks(log: string[], recorded: Record<string, StepResult> = {}) {
  return {
    shouldSkip: (_host: string, step: Step) => {
      log.push(`skip? ${step.id}`);
      return recorded[step.id] ?? null;
    },
    onStepStarted: (_host: string, step: Step) => {
      log.push(`hook started ${step.id}`);
    },
    onStepFinished: (_host: string, step: Step, result: StepResult) => {
      log.push(`hook finished ${step.id} ${result.status}`);
    },
  };
}

describe("running a host's command steps as one batch", () => {
  it("sends every diagnostic and check step in one batch and fires the hooks per step, in order, as results stream in", async () => {
    const executor = new BatchingExecutor();
    const report = await runHostSteps(
      executor,
      playbook,
      steps,
      host,
      recordingHooks(executor.log),
    );

    expect(executor.batches).toHaveLength(1);
    expect(executor.batches[0]?.map((r) => r.command)).toEqual([
      "echo one",
      "echo two",
      "echo three",
    ]);
    expect(executor.batches[0]?.[2]?.timeoutMs).toBe(2000);
    expect(executor.log.filter((line) => line.startsWith("run "))).toEqual([]);
    const hooks = executor.log.filter((line) => line.startsWith("hook"));
    expect(hooks).toEqual([
      "hook started one",
      "hook finished one ok",
      "hook started two",
      "hook finished two ok",
      "hook started reload",
      "hook finished reload awaiting-approval",
      "hook started tick",
      "hook finished tick skipped",
      "hook started three",
      "hook finished three ok",
    ]);
    // Streaming: step one is reported before the host has finished step two.
    const at = (line: string): number => executor.log.indexOf(line);
    expect(at("hook finished one ok")).toBeLessThan(at("host finished 1"));
    expect(report.steps.map((s) => [s.id, s.status, s.output])).toEqual([
      ["one", "ok", "one\n"],
      ["two", "ok", "two\n"],
      ["reload", "awaiting-approval", expect.stringContaining("apache2ctl graceful")],
      ["tick", "skipped", ""],
      ["three", "ok", "three\n"],
    ]);
  });

  it("leaves recorded steps out of the batch and hands back their results", async () => {
    const executor = new BatchingExecutor();
    const done: StepResult = { id: "one", status: "ok", exitCode: 0, durationMs: 5, output: "old" };
    const report = await runHostSteps(
      executor,
      playbook,
      steps,
      host,
      recordingHooks(executor.log, { one: done }),
    );
    expect(executor.batches[0]?.map((r) => r.command)).toEqual(["echo two", "echo three"]);
    expect(report.steps[0]).toBe(done);
    expect(executor.log).not.toContain("hook started one");
  });

  it("fails the step in flight when the connection breaks and runs the later steps alone", async () => {
    const executor = new BatchingExecutor(1);
    const report = await runHostSteps(
      executor,
      playbook,
      steps,
      host,
      recordingHooks(executor.log),
    );
    const byId = Object.fromEntries(report.steps.map((s) => [s.id, s]));
    expect(byId.one?.status).toBe("ok");
    expect(byId.two).toMatchObject({ status: "error", exitCode: null });
    expect(byId.two?.reason).toMatch(/^connection lost while running: .*reset \[disconnected\]/);
    expect(byId.three).toMatchObject({ status: "ok", output: "three\n" });
    expect(executor.log).toContain("run echo three");
  });
});
