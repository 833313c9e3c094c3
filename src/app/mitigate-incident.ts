import { canChangeState, person, type Incident } from "../domain/incident";
import { clockEntries, clockEntryName, entriesBefore } from "../domain/phase-clock";
import { enterPhase } from "./fire-clock-entry";
import type { IncidentRef } from "./find-incident";
import { findIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/**
 * The 502s stopped: state mitigated, the clock jumps to long-term now (its follow-up checklist
 * starts), and the earlier phases' pending reminders and phase changes are dropped.
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
  const earlier = entriesBefore(
    clockEntries(deps.settings.reminders[updated.severity]),
    "long-term",
  );
  await deps.queue.cancelClockEntries(updated.id, earlier.map(clockEntryName));
  await enterPhase(deps, updated, "long-term");
  return succeed((await deps.incidents.get(updated.id)) ?? updated);
}
