import { person } from "../domain/incident";
import { clockEntryName, minuteAt } from "../domain/phase-clock";
import type { Severity } from "../domain/severity";
import type { IncidentRef } from "./find-incident";
import { findOpenIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { pendingClockEntry, scheduleNextClockEntry } from "./schedule-phase-clock";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/**
 * `/incident severity sev1`: raises or lowers the severity. The status reminders still to come
 * follow the new severity's cadence: the pending clock entry is replaced by the new cadence's next
 * one when they differ (the phase changes stay where they are, since they follow the clock).
 */
export async function changeSeverity(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; severity: Severity; by: string },
): Promise<UseCaseResult<{ incidentId: string; from: Severity; to: Severity }>> {
  const found = await findOpenIncident(deps, input.incident);
  if (!found.ok) return found;
  const from = found.value.severity;
  if (from === input.severity) {
    return fail("invalid-input", `Incident ${found.value.id} is ${from} already.`);
  }
  const updated = await deps.incidents.update(found.value.id, (current) =>
    current.severity === input.severity ? null : { ...current, severity: input.severity },
  );
  const incident = updated ?? found.value;
  const now = deps.clock.now();
  await recordEvent(deps, incident.id, {
    type: "severity-changed",
    key: `severity-${now}-${deps.randomSuffix()}`,
    at: now,
    actor: person(input.by),
    summary: `Severity: ${from} → ${input.severity}`,
    details: { from, to: input.severity },
  });
  const before = pendingClockEntry(deps, { ...incident, severity: from }, now);
  const after = pendingClockEntry(deps, incident, now);
  if (before && clockEntryName(before) !== (after && clockEntryName(after))) {
    await deps.queue.cancelClockEntries(incident.id, [clockEntryName(before)]);
  }
  await scheduleNextClockEntry(
    deps,
    incident,
    minuteAt(incident.declaredAt, now, deps.settings.phaseMinuteMs),
  );
  return succeed({ incidentId: incident.id, from, to: input.severity });
}
