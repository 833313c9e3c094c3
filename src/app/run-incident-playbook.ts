import type { Phase } from "../domain/phase";
import { runIdFor } from "../domain/incident-run";
import type { IncidentRef } from "./find-incident";
import { findOpenIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { startRun, type StartedRuns } from "./start-run";
import type { UseCaseResult } from "./use-case-result";

export interface RunIncidentPlaybookInput {
  incident: IncidentRef;
  playbook: string;
  /** Defaults to the incident's current phase. */
  phase?: Phase;
  /** Defaults to the incident's hosts. */
  hosts?: string[];
  by: string;
}

/** `/incident run PLAYBOOK [PHASE] [hosts:…]`: a new run, one queued job per host. */
export async function runIncidentPlaybook(
  deps: LifecycleDeps,
  input: RunIncidentPlaybookInput,
): Promise<UseCaseResult<StartedRuns>> {
  const found = await findOpenIncident(deps, input.incident);
  if (!found.ok) return found;
  const incident = found.value;
  const phase = input.phase ?? incident.phase;
  const n = await deps.runs.nextRunNumber(incident.id);
  const named = input.hosts !== undefined && input.hosts.length > 0;
  return startRun(deps, {
    incident,
    runId: runIdFor(incident.id, phase, n),
    playbook: input.playbook,
    // Hosts a person named must fit the playbook; the incident's other hosts are left out.
    otherKinds: named ? "refuse" : "skip",
    phase,
    hostNames: named ? (input.hosts ?? []) : incident.hosts,
    requestedBy: input.by,
  });
}
