import type { UpstreamService } from "../domain/inventory";
import type { PlaybookCatalog } from "../ports/playbook-catalog";
import type { PlaybookRunner, RunnerHost } from "../ports/playbook-runner";
import type { RemoteExecutor } from "../ports/remote-executor";
import type { EngineOptions } from "./host-steps";
import { planCommands, runHostSteps } from "./host-steps";
import { runRemediation } from "./remediation";

/**
 * The lifecycle's PlaybookRunner on the engine: the catalog finds playbooks, `resolveHosts` (the
 * inventory, wired in main.ts) names hosts, and the engine runs steps through the executor.
 */
export function enginePlaybookRunner(deps: {
  executor: RemoteExecutor;
  catalog: PlaybookCatalog;
  resolveHosts(names: readonly string[]): Promise<RunnerHost[]> | RunnerHost[];
  /** The inventory's upstream services by name (absent: it names none). */
  getService?(name: string): UpstreamService | null;
  options?: EngineOptions;
}): PlaybookRunner {
  return {
    getPlaybook: (id) => deps.catalog.get(id),
    resolveHosts: async (names) => deps.resolveHosts(names),
    getService: async (name) => deps.getService?.(name) ?? null,
    runHostSteps: (playbook, steps, host, hooks) =>
      runHostSteps(deps.executor, playbook, steps, host, hooks, deps.options),
    runRemediation: (step, commands, host) =>
      runRemediation(deps.executor, step, commands, host, deps.options),
    planCommands: (playbook, phase, host) => planCommands(playbook, phase, host),
  };
}
