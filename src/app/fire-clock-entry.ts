import { BOT, type Incident } from "../domain/incident";
import { runIdFor } from "../domain/incident-run";
import { Phase } from "../domain/phase";
import { phaseOrder, type ClockEntry } from "../domain/phase-clock";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { scheduleNextClockEntry } from "./schedule-phase-clock";
import { startRun } from "./start-run";

export type ClockOutcome = "fired" | "skipped";

/**
 * A phase-clock job. Each entry fires once: its event key is fixed per incident, so a retried or
 * duplicated job adds nothing. A resolved incident, or a phase already reached (mitigation jumps to
 * long-term), makes the entry a no-op. Then it schedules the incident's next entry, so the clock
 * goes on as long as the incident is not resolved.
 */
export async function fireClockEntry(
  deps: LifecycleDeps,
  job: { incidentId: string; entry: ClockEntry; dueAt: number },
): Promise<ClockOutcome> {
  const incident = await deps.incidents.get(job.incidentId);
  if (!incident || incident.state === "resolved") return "skipped";
  const outcome = await fire(deps, incident, job);
  // The successor is chosen from the incident as the entry left it (a phase change moved it on).
  const after = await deps.incidents.get(job.incidentId);
  if (after && after.state !== "resolved")
    await scheduleNextClockEntry(deps, after, job.entry.minute);
  return outcome;
}

async function fire(
  deps: LifecycleDeps,
  incident: Incident,
  job: { entry: ClockEntry; dueAt: number },
): Promise<ClockOutcome> {
  if (job.entry.kind === "reminder") {
    if (phaseOrder(job.entry.phase) < phaseOrder(incident.phase)) return "skipped";
    const appended = await recordEvent(deps, incident.id, {
      type: "status-update",
      key: `reminder-${job.entry.minute}`,
      at: deps.clock.now(),
      actor: BOT,
      summary: `Status update due (minute ${job.entry.minute}, ${job.entry.phase})`,
      details: {
        text: `Status update due: minute ${job.entry.minute} of the incident (${job.entry.phase}).`,
        reminder: true,
        scheduledAt: job.dueAt,
      },
    });
    return appended ? "fired" : "skipped";
  }
  return (await enterPhase(deps, incident, job.entry.phase, job.dueAt)) ? "fired" : "skipped";
}

/**
 * Moves the incident into `to` (never backwards), writes phase-changed and starts that phase's
 * steps: short-term steps run on the hosts, long-term manual items are listed as a checklist.
 * Shared with mitigation, which enters long-term early; the event key is the same, so the clock's
 * later phase change finds it there and adds nothing.
 */
export async function enterPhase(
  deps: LifecycleDeps,
  incident: Incident,
  to: Phase,
  scheduledAt?: number,
): Promise<boolean> {
  let from: Phase | null = null;
  const updated = await deps.incidents.update(incident.id, (current) => {
    if (phaseOrder(current.phase) >= phaseOrder(to)) return null;
    from = current.phase;
    return { ...current, phase: to };
  });
  // Already past `to`: nothing to do. Exactly at `to`: this may be a retry after a crash between
  // the update and the event, so write the event and start the steps (both idempotent).
  if (!updated || updated.phase !== to) return false;
  const previous = from ?? (incident.phase !== to ? incident.phase : earlierPhase(to));
  const appended = await recordEvent(deps, incident.id, {
    type: "phase-changed",
    key: `phase:${to}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Phase: ${to}`,
    details: { from: previous, to, ...(scheduledAt !== undefined ? { scheduledAt } : {}) },
  });
  await startPhaseSteps(deps, updated, to);
  return appended;
}

function earlierPhase(phase: Phase): Phase | null {
  return Phase.options[phaseOrder(phase) - 1] ?? null;
}

async function startPhaseSteps(
  deps: LifecycleDeps,
  incident: Incident,
  phase: Phase,
): Promise<void> {
  const started = await startRun(deps, {
    incident,
    runId: runIdFor(incident.id, phase, 0),
    playbook: incident.playbook ?? null,
    otherKinds: "own-playbook",
    phase,
    hostNames: incident.hosts,
    requestedBy: "bot",
  });
  // A phase the playbooks leave empty has nothing to start; say why anything else was not.
  if (!started.ok && started.code !== "no-steps" && incident.hosts.length > 0)
    deps.log?.("phase steps not started", { incidentId: incident.id, phase, why: started.message });
}
