import type { Incident } from "../domain/incident";
import { clockEntries, clockEntryName, dueAt, type ClockEntry } from "../domain/phase-clock";
import type { LifecycleDeps } from "./lifecycle-deps";

/** Every phase change and reminder of the incident, scheduled as delayed jobs (deterministic ids). */
export async function schedulePhaseClock(deps: LifecycleDeps, incident: Incident): Promise<number> {
  const entries = clockEntries(deps.settings.reminders[incident.severity]);
  await scheduleClockEntries(deps, incident, entries);
  return entries.length;
}

/** Schedules these entries of the incident's clock, each due at its minute since declaration. */
export async function scheduleClockEntries(
  deps: LifecycleDeps,
  incident: Pick<Incident, "id" | "declaredAt">,
  entries: readonly ClockEntry[],
): Promise<void> {
  await deps.queue.scheduleMany(
    entries.map((entry) => ({
      kind: "clock-entry" as const,
      incidentId: incident.id,
      entry,
      dueAt: dueAt(incident.declaredAt, entry.minute, deps.settings.phaseMinuteMs),
    })),
  );
}

/** Names of every clock entry of the incident (to cancel them all). */
export function allClockEntryNames(deps: LifecycleDeps, incident: Incident): string[] {
  return clockEntries(deps.settings.reminders[incident.severity]).map(clockEntryName);
}
