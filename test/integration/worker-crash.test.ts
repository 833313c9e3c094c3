import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideApproval } from "../../src/app/decide-approval";
import { declareIncident } from "../../src/app/declare-incident";
import { INTERRUPTED } from "../../src/app/execute-remediation";
import type { Runtime } from "../../src/main";
import { FakeChat } from "../fakes/fake-chat";
import { testHosts } from "../fakes/lifecycle-harness";
import { LocalShellExecutor } from "../fakes/local-shell-executor";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { startTestRuntime, waitFor } from "./lifecycle/runtime";
import { startWorkerChild, type WorkerChild } from "./lifecycle/worker-child";

const HOSTS = ["p1", "p2"];

describe("a worker process killed in the middle of an incident", () => {
  let dir: string;
  let bot: Runtime;
  let env: Record<string, string>;
  const children: WorkerChild[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "incident-bot-crash-"));
    const prefix = uniquePrefix("crash");
    const vars = Object.fromEntries(
      HOSTS.map((h) => [h, { delay: 3, marker: join(dir, `${h}.marker`) }]),
    );
    env = {
      TEST_REDIS_URL: testRedisUrl(),
      TEST_PREFIX: prefix,
      TEST_HOST_VARS: JSON.stringify(vars),
    };
    // The bot side in this process: it declares and approves; only the child processes work.
    bot = await startTestRuntime({
      redisUrl: testRedisUrl(),
      prefix,
      chat: new FakeChat(),
      executor: new LocalShellExecutor(),
      hosts: HOSTS.flatMap((h) => testHosts([h], vars[h])),
      workers: false,
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill("SIGKILL");
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<WorkerChild> => {
    const child = await startWorkerChild(env);
    children.push(child);
    return child;
  };
  const events = (id: string) => bot.deps.timeline.read(id);
  const lines = (host: string): number => {
    const file = join(dir, `${host}.marker`);
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
  };

  it("is taken over by another worker: the run finishes, every step is recorded once, and the remediation ran once", async () => {
    const first = await start();
    const declared = await declareIncident(bot.deps, {
      title: "Crash test",
      hosts: HOSTS,
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;

    // Kill the first worker while both hosts are inside the slow first step.
    await waitFor("the slow step to start on both hosts", async () => {
      const started = (await events(id)).filter((e) => e.type === "step-started");
      return started.length >= HOSTS.length;
    });
    await first.kill("SIGKILL");
    const second = await start();

    const approval = await waitFor(
      "the approval request",
      async () => (await events(id)).find((e) => e.type === "approval-requested"),
      30_000,
    );
    if (approval.type !== "approval-requested") throw new Error("unexpected");
    const all = await events(id);
    const finished = all.flatMap((e) =>
      e.type === "step-finished" ? [`${e.details.host}/${e.details.stepId}`] : [],
    );
    expect(finished.sort()).toEqual(
      HOSTS.flatMap((h) => [`${h}/append-marker`, `${h}/check-echo`, `${h}/slow-look`]).sort(),
    );
    expect(all.filter((e) => e.type === "playbook-finished")).toHaveLength(1);
    expect(all.filter((e) => e.type === "diagnosis")).toHaveLength(1);

    // Approve, then kill the worker after the action changed the hosts but before it finished.
    const decided = await decideApproval(bot.deps, {
      approvalId: approval.details.approvalId,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(decided.ok).toBe(true);
    await waitFor("the action to touch both hosts", async () => HOSTS.every((h) => lines(h) > 0));
    await second.kill("SIGKILL");
    await start();

    const outcomes = await waitFor(
      "the remediation outcomes",
      async () => {
        const done = (await events(id)).filter((e) => e.type === "remediation-finished");
        return done.length === HOSTS.length ? done : null;
      },
      30_000,
    );
    for (const host of HOSTS) expect(lines(host)).toBe(1);
    for (const e of outcomes) {
      if (e.type !== "remediation-finished") continue;
      expect(e.details.action).toBe("error");
      expect(e.details.output).toContain(INTERRUPTED);
    }
  });
});
