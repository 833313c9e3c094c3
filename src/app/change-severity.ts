import { person } from "../domain/incident";
import { clockEntries, clockEntryName, type ClockEntry } from "../domain/phase-clock";
import type { Severity } from "../domain/severity";
import type { IncidentRef } from "./find-incident";
import { findOpenIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { scheduleClockEntries } from "./schedule-phase-clock";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/**
 * `/incident severity sev1`: raises or lowers the severity. The status reminders still to come
 * follow the new severity's cadence (those of the old one that the new one lacks are dropped, the
 * new one's are scheduled); the phase changes stay where they are, since they follow the clock.
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
  const minute = (now - incident.declaredAt) / deps.settings.phaseMinuteMs;
  const pending = (severity: Severity): ClockEntry[] =>
    clockEntries(deps.settings.reminders[severity]).filter(
      (entry) => entry.kind === "reminder" && entry.minute > minute,
    );
  const before = pending(from);
  const after = pending(input.severity);
  const names = (entries: ClockEntry[]) => new Set(entries.map(clockEntryName));
  const keep = names(after);
  const had = names(before);
  await deps.queue.cancelClockEntries(
    incident.id,
    before.map(clockEntryName).filter((name) => !keep.has(name)),
  );
  await scheduleClockEntries(
    deps,
    incident,
    after.filter((entry) => !had.has(clockEntryName(entry))),
  );
  return succeed({ incidentId: incident.id, from, to: input.severity });
}
