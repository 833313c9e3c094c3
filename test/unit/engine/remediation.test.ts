import { runRemediation } from "../../../src/engine/remediation";
import { Playbook, type RemediationStep } from "../../../src/domain/playbook";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";

const playbook = Playbook.parse({
  id: "fix",
  title: "Fix",
  description: "Reload",
  vars: { url: { type: "url", default: "http://127.0.0.1:8080/" } },
  phases: {
    immediate: [
      {
        id: "reload",
        title: "Reload",
        kind: "remediation",
        run: "apache2ctl graceful",
        precheck: { run: "apache2ctl configtest", expect: { matches: "Syntax OK" } },
        verify: { run: "curl -fsS {{ url }}", attempts: 3, interval: "1s" },
      },
    ],
  },
});
const step = playbook.phases.immediate?.[0] as RemediationStep;
const host = {
  kind: "apache" as const,
  name: "p",
  vars: {},
  target: {
    name: "p",
    address: "127.0.0.1",
    port: 22,
    user: "root",
    privateKeyPath: "k",
    knownHostsPath: "kh",
  },
};
const noSleep = { sleep: async () => undefined };
/** As the approval rendered them (the url's quoting included). */
const approved = {
  precheck: "apache2ctl configtest",
  action: "apache2ctl graceful",
  verify: "curl -fsS 'http://127.0.0.1:8080/'",
};

describe("runRemediation", () => {
  it("runs precheck, action and verification in order over one connection", async () => {
    const executor = new FakeRemoteExecutor().reply(() => ({ stdout: "Syntax OK\n" }));
    const outcome = await runRemediation(executor, step, approved, host, noSleep);
    expect(executor.commands.map((c) => c.command)).toEqual([
      "apache2ctl configtest",
      "apache2ctl graceful",
      "curl -fsS 'http://127.0.0.1:8080/'",
    ]);
    expect(executor.connects).toEqual(["p"]);
    expect([outcome.precheck.status, outcome.action?.status, outcome.verification?.status]).toEqual(
      ["ok", "ok", "ok"],
    );
  });

  it("never runs the action when the precheck fails", async () => {
    const executor = new FakeRemoteExecutor().reply(() => ({
      exitCode: 1,
      stderr: "Syntax error on line 3",
    }));
    const outcome = await runRemediation(executor, step, approved, host, noSleep);
    expect(executor.commands).toHaveLength(1);
    expect(outcome).toMatchObject({
      precheck: { status: "failed" },
      action: null,
      verification: null,
    });
  });

  it("runs the approved strings as they are, whatever the step's templates say now", async () => {
    const executor = new FakeRemoteExecutor().reply(() => ({ stdout: "Syntax OK\n" }));
    const changed = {
      ...step,
      run: "rm -rf /etc/apache2",
      verify: { ...step.verify, run: "true" },
    };
    await runRemediation(executor, changed, approved, host, noSleep);
    expect(executor.commands.map((c) => c.command)).toEqual([
      "apache2ctl configtest",
      "apache2ctl graceful",
      "curl -fsS 'http://127.0.0.1:8080/'",
    ]);
  });

  it("retries the verification up to its attempts and says how often it tried", async () => {
    const sleeps: number[] = [];
    const executor = new FakeRemoteExecutor().reply((_h, command) =>
      command.startsWith("curl") ? { exitCode: 22 } : { stdout: "Syntax OK" },
    );
    const outcome = await runRemediation(executor, step, approved, host, {
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(sleeps).toEqual([1000, 1000]);
    expect(outcome.verification).toMatchObject({
      status: "failed",
      reason: "exit code 22, expected 0 (after 3 attempts)",
    });
  });
});
