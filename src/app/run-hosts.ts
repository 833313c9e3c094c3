import type { IncidentRun } from "../domain/incident-run";
import { serviceVars } from "../domain/inventory";
import type { RunnerHost } from "../ports/playbook-runner";
import type { LifecycleDeps } from "./lifecycle-deps";
import { LifecycleError } from "./use-case-result";

/**
 * The hosts of a run as its playbook sees them: a service run's hosts also get the service's
 * unit, container or pods (inventory `services:`) as playbook variables, so its commands name them.
 */
export async function runHosts(
  deps: LifecycleDeps,
  run: Pick<IncidentRun, "service">,
  names: readonly string[],
): Promise<RunnerHost[]> {
  const hosts = await deps.runner.resolveHosts(names);
  if (!run.service) return hosts;
  const service = (await deps.runner.getService?.(run.service)) ?? null;
  if (!service) {
    throw new LifecycleError(
      "unknown-service",
      `No service ${run.service} in the inventory.`,
      false,
    );
  }
  const vars = serviceVars(service);
  return hosts.map((host) => ({ ...host, vars: { ...host.vars, ...vars } }));
}
