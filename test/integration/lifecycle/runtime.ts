import { enginePlaybookRunner } from "../../../src/engine/playbook-runner";
import { configFrom, type Config } from "../../../src/config/env";
import { startRuntime, type Runtime } from "../../../src/main";
import type { Chat } from "../../../src/ports/chat";
import type { RemoteExecutor } from "../../../src/ports/remote-executor";
import type { Playbook } from "../../../src/domain/playbook";
import type { RunnerHost } from "../../../src/ports/playbook-runner";
import type { LifecycleSettings } from "../../../src/app/lifecycle-deps";
import { lifecyclePlaybook } from "../../fakes/lifecycle-harness";

/** Shared by the lifecycle integration tests and the worker process they kill. */
export function testConfig(redisUrl: string, phaseMinuteMs: number): Config {
  return {
    ...configFrom({ REDIS_URL: redisUrl, PHASE_MINUTE_MS: String(phaseMinuteMs) }),
    approvers: ["U-APPROVER", "U-APPROVER-2"],
  };
}

export interface TestRuntimeOptions {
  redisUrl: string;
  prefix: string;
  chat: Chat;
  executor: RemoteExecutor;
  hosts: RunnerHost[];
  workers: boolean;
  phaseMinuteMs?: number;
  playbooks?: Playbook[];
  settings?: Partial<LifecycleSettings>;
}

/** The production runtime (real Redis stores, BullMQ queues and workers) with test timings. */
export function startTestRuntime(o: TestRuntimeOptions): Promise<Runtime> {
  const playbooks = o.playbooks ?? [lifecyclePlaybook()];
  return startRuntime({
    config: testConfig(o.redisUrl, o.phaseMinuteMs ?? 60_000),
    chat: o.chat,
    workers: o.workers,
    keyPrefix: o.prefix,
    log: () => undefined,
    // Short locks: a killed worker's job is taken over in about a second.
    queue: {
      lockDurationMs: 1500,
      stalledIntervalMs: 500,
      hostRunBackoffMs: 100,
      announceBackoffMs: 50,
      announceAttempts: 4,
    },
    settings: { defaultPlaybooks: { apache: "lifecycle-test" }, ...o.settings },
    runner: enginePlaybookRunner({
      executor: o.executor,
      catalog: {
        get: async (id) => playbooks.find((p) => p.id === id) ?? null,
        list: async () => playbooks,
      },
      resolveHosts: (names) => o.hosts.filter((h) => names.includes(h.name)),
    }),
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
