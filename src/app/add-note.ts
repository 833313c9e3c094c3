import { person } from "../domain/incident";
import type { IncidentRef } from "./find-incident";
import { findIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/** A free-text note on the timeline (allowed after resolution too, for the postmortem). */
export async function addNote(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; text: string; by: string },
): Promise<UseCaseResult<{ incidentId: string }>> {
  const found = await findIncident(deps, input.incident);
  if (!found.ok) return found;
  const text = input.text.trim();
  if (!text) return fail("invalid-input", "The note is empty.");
  await recordEvent(deps, found.value.id, {
    type: "note",
    key: `note-${deps.clock.now()}-${deps.randomSuffix()}`,
    at: deps.clock.now(),
    actor: person(input.by),
    summary: `Note: ${text.split("\n")[0]?.slice(0, 200) ?? ""}`,
    details: { text },
  });
  return succeed({ incidentId: found.value.id });
}
