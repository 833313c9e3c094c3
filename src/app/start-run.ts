import { HostSelectionError } from "../domain/inventory";
import type { Incident } from "../domain/incident";
import { IncidentRun } from "../domain/incident-run";
import type { Phase } from "../domain/phase";
import type { PlannedStep } from "../domain/timeline";
import { BOT, person } from "../domain/incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

export interface StartRunInput {
  incident: Incident;
  runId: string;
  playbook: string;
  phase: Phase;
  /** Host and group names; resolved against the inventory here. */
  hostNames: readonly string[];
  /** A person's id, or "bot" for runs the phase clock starts. */
  requestedBy: string;
}

/**
 * Creates the run (once: the id is deterministic for clock-started runs), writes playbook-started
 * with the planned steps, and enqueues one job per host. Safe to call again with the same run id:
 * the run, the event and the jobs are all deduplicated.
 */
export async function startRun(
  deps: LifecycleDeps,
  input: StartRunInput,
): Promise<UseCaseResult<{ runId: string; hosts: string[] }>> {
  const playbook = await deps.runner.getPlaybook(input.playbook);
  if (!playbook) return fail("unknown-playbook", `No playbook named ${input.playbook}.`);
  const steps = playbook.phases[input.phase] ?? [];
  if (steps.length === 0) {
    return fail("invalid-input", `Playbook ${playbook.id} has no ${input.phase} steps.`);
  }
  let hosts: string[];
  try {
    hosts = (await deps.runner.resolveHosts(input.hostNames)).map((h) => h.name);
  } catch (error) {
    // Chat is told which names matched nothing, never the whole inventory.
    if (error instanceof HostSelectionError && error.unknown.length > 0) {
      const names = error.unknown.map((u) => `"${u}"`).join(", ");
      return fail("unknown-host", `Unknown host or group ${names}; nothing was started.`);
    }
    return fail("unknown-host", error instanceof Error ? error.message : String(error));
  }
  const run = IncidentRun.parse({
    runId: input.runId,
    incidentId: input.incident.id,
    playbook: playbook.id,
    phase: input.phase,
    hosts,
    startedAt: deps.clock.now(),
    requestedBy: input.requestedBy,
  });
  await deps.runs.createRun(run);
  const stored = (await deps.runs.getRun(run.runId)) ?? run;
  const planned: PlannedStep[] = steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind }));
  await recordEvent(deps, input.incident.id, {
    type: "playbook-started",
    key: `playbook-started:${stored.runId}`,
    at: stored.startedAt,
    actor: input.requestedBy === "bot" ? BOT : person(input.requestedBy),
    summary: `Playbook ${playbook.id} (${input.phase}) started on ${stored.hosts.join(", ") || "no hosts"}`,
    details: {
      runId: stored.runId,
      playbook: playbook.id,
      phase: input.phase,
      hosts: stored.hosts,
      steps: planned,
    },
  });
  if (steps.some((s) => s.kind !== "manual")) {
    for (const host of stored.hosts) {
      await deps.queue.enqueueHostRun({ incidentId: input.incident.id, runId: stored.runId, host });
    }
  }
  return succeed({ runId: stored.runId, hosts: stored.hosts });
}
