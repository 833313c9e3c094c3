import { FakeChat } from "../../fakes/fake-chat";
import { testHosts } from "../../fakes/lifecycle-harness";
import { LocalShellExecutor } from "../../fakes/local-shell-executor";
import { startTestRuntime } from "./runtime";

/**
 * A real worker process for the crash and clock tests: the production runtime (stores, queues,
 * the four workers) with a local-shell executor and the test playbook. Settings come from the
 * environment; "ready" on stdout once the workers run; SIGTERM closes gracefully.
 */
async function main(): Promise<void> {
  const env = process.env;
  const hostVars = JSON.parse(env.TEST_HOST_VARS ?? "{}") as Record<
    string,
    Record<string, string | number>
  >;
  const runtime = await startTestRuntime({
    redisUrl: env.TEST_REDIS_URL ?? "",
    prefix: env.TEST_PREFIX ?? "",
    chat: new FakeChat(),
    executor: new LocalShellExecutor(),
    hosts: Object.entries(hostVars).flatMap(([name, vars]) => testHosts([name], vars)),
    workers: true,
    phaseMinuteMs: Number(env.TEST_PHASE_MINUTE_MS ?? 60_000),
  });
  await Promise.all(runtime.workers?.workers.map((w) => w.waitUntilReady()) ?? []);
  process.stdout.write("ready\n");
  process.once("SIGTERM", () => {
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`worker-process: ${String(error)}\n`);
  process.exit(1);
});
