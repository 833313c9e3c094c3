import type { Incident } from "../domain/incident";
import { clockEntries, clockEntryName, dueAt } from "../domain/phase-clock";
import type { LifecycleDeps } from "./lifecycle-deps";

/** Every phase change and reminder of the incident, scheduled as delayed jobs (deterministic ids). */
export async function schedulePhaseClock(deps: LifecycleDeps, incident: Incident): Promise<number> {
  const entries = clockEntries(deps.settings.reminders[incident.severity]);
  await deps.queue.scheduleMany(
    entries.map((entry) => ({
      kind: "clock-entry" as const,
      incidentId: incident.id,
      entry,
      dueAt: dueAt(incident.declaredAt, entry.minute, deps.settings.phaseMinuteMs),
    })),
  );
  return entries.length;
}

/** Names of every clock entry of the incident (to cancel them all). */
export function allClockEntryNames(deps: LifecycleDeps, incident: Incident): string[] {
  return clockEntries(deps.settings.reminders[incident.severity]).map(clockEntryName);
}
