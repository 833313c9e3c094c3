import { canChangeState, person, type Incident } from "../domain/incident";
import { minuteAt } from "../domain/phase-clock";
import { enterPhase } from "./fire-clock-entry";
import type { IncidentRef } from "./find-incident";
import { findIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { cancelPendingClockEntry, scheduleNextClockEntry } from "./schedule-phase-clock";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/**
 * The 502s stopped: state mitigated, the clock jumps to long-term now (its follow-up checklist
 * starts): the pending clock entry, if of an earlier phase, gives way to long-term's next one.
 */
export async function mitigateIncident(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; by: string; text?: string },
): Promise<UseCaseResult<Incident>> {
  const found = await findIncident(deps, input.incident);
  if (!found.ok) return found;
  if (!canChangeState(found.value.state, "mitigated")) {
    return fail("invalid-state", `Incident ${found.value.id} is ${found.value.state}.`);
  }
  const now = deps.clock.now();
  const updated = await deps.incidents.update(found.value.id, (current) =>
    canChangeState(current.state, "mitigated")
      ? { ...current, state: "mitigated", mitigatedAt: now }
      : null,
  );
  if (!updated || updated.state !== "mitigated") return fail("invalid-state", "Changed meanwhile.");
  await recordEvent(deps, updated.id, {
    type: "state-changed",
    key: "state-mitigated",
    at: now,
    actor: person(input.by),
    summary: `Mitigated${input.text ? `: ${input.text}` : ""}`,
    details: { from: found.value.state, to: "mitigated" },
  });
  await cancelPendingClockEntry(deps, updated, now);
  await enterPhase(deps, updated, "long-term");
  const latest = (await deps.incidents.get(updated.id)) ?? updated;
  if (latest.state !== "resolved") {
    await scheduleNextClockEntry(
      deps,
      latest,
      minuteAt(latest.declaredAt, now, deps.settings.phaseMinuteMs),
    );
  }
  return succeed(latest);
}
