import type { Incident } from "../domain/incident";
import {
  clockEntryName,
  dueAt,
  minuteAt,
  nextClockEntry,
  type ClockEntry,
} from "../domain/phase-clock";
import type { LifecycleDeps } from "./lifecycle-deps";

type ClockedIncident = Pick<Incident, "id" | "declaredAt" | "severity" | "phase">;

/** The incident's first clock entry; each entry schedules the next as it fires. */
export function schedulePhaseClock(
  deps: LifecycleDeps,
  incident: ClockedIncident,
): Promise<ClockEntry | null> {
  return scheduleNextClockEntry(deps, incident, 0);
}

/**
 * Schedules the entry after `afterMinute` at the incident's severity and phase as they are now,
 * as a delayed job whose id is fixed per incident and entry: a retried firing that schedules its
 * successor again adds nothing.
 */
export async function scheduleNextClockEntry(
  deps: LifecycleDeps,
  incident: ClockedIncident,
  afterMinute: number,
): Promise<ClockEntry | null> {
  const entry = nextClockEntry(
    deps.settings.reminders[incident.severity],
    afterMinute,
    incident.phase,
  );
  if (!entry) return null;
  await deps.queue.schedule({
    kind: "clock-entry",
    incidentId: incident.id,
    entry,
    dueAt: dueAt(incident.declaredAt, entry.minute, deps.settings.phaseMinuteMs),
  });
  return entry;
}

/**
 * The entry the incident has pending at `at`, for cancelling or replacing it. One that is overdue
 * and still queued is not it: that one finds the incident changed when it fires and schedules
 * its successor (if any) from what the incident is then.
 */
export function pendingClockEntry(
  deps: LifecycleDeps,
  incident: ClockedIncident,
  at: number,
): ClockEntry | null {
  return nextClockEntry(
    deps.settings.reminders[incident.severity],
    minuteAt(incident.declaredAt, at, deps.settings.phaseMinuteMs),
    incident.phase,
  );
}

/** Removes the incident's pending entry (resolution; a change of severity or phase). */
export async function cancelPendingClockEntry(
  deps: LifecycleDeps,
  incident: ClockedIncident,
  at: number,
): Promise<void> {
  const pending = pendingClockEntry(deps, incident, at);
  if (pending) await deps.queue.cancelClockEntries(incident.id, [clockEntryName(pending)]);
}
