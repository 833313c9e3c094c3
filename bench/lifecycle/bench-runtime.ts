import { enginePlaybookRunner } from "../../src/engine/playbook-runner";
import type { LifecycleSettings } from "../../src/app/lifecycle-deps";
import { configFrom } from "../../src/config/env";
import type { Playbook } from "../../src/domain/playbook";
import { startRuntime, type Runtime } from "../../src/main";
import type { ApprovalCard, Chat, IncidentCard } from "../../src/ports/chat";
import type { RunnerHost } from "../../src/ports/playbook-runner";
import type { RemoteExecutor } from "../../src/ports/remote-executor";

/** A Chat that answers at once: the bench measures the queue and Redis, not Slack. */
export const silentChat: Chat = {
  createIncidentChannel: async (input) => `C-${input.name}`,
  postIncidentCard: async (channel: string, card: IncidentCard) => `${channel}/${card.incident.id}`,
  updateIncidentCard: async () => undefined,
  postThreadReply: async () => undefined,
  postMessage: async (channel: string) => `${channel}/m`,
  postApprovalCard: async (channel: string, card: ApprovalCard) => `${channel}/${card.approvalId}`,
  updateApprovalCard: async () => undefined,
  uploadFile: async () => undefined,
  postEphemeral: async () => undefined,
  setTopic: async () => undefined,
};

/** No-op executor: every command exits 0 at once, so only the lifecycle's own cost remains. */
export const noopExecutor: RemoteExecutor = {
  connect: async () => ({
    run: async () => ({
      exitCode: 0,
      stdout: "",
      stderr: "",
      truncated: false,
      timedOut: false,
      durationMs: 0,
    }),
    close: async () => undefined,
  }),
};

/** Bench hosts: the lifecycle tests' hosts (the no-op executor never connects to them). */
export { testHosts as hostsNamed } from "../../test/fakes/lifecycle-harness";

export function benchRuntime(input: {
  redisUrl: string;
  prefix: string;
  playbook: Playbook;
  hosts: RunnerHost[];
  phaseMinuteMs: number;
  workers: boolean;
  settings?: Partial<LifecycleSettings>;
}): Promise<Runtime> {
  return startRuntime({
    config: configFrom({
      REDIS_URL: input.redisUrl,
      PHASE_MINUTE_MS: String(input.phaseMinuteMs),
    }),
    chat: silentChat,
    workers: input.workers,
    keyPrefix: input.prefix,
    log: () => undefined,
    settings: { defaultPlaybooks: { apache: input.playbook.id }, ...input.settings },
    runner: enginePlaybookRunner({
      executor: noopExecutor,
      catalog: {
        get: async (id) => (id === input.playbook.id ? input.playbook : null),
        list: async () => [input.playbook],
      },
      resolveHosts: (names) => input.hosts.filter((h) => names.includes(h.name)),
    }),
  });
}
