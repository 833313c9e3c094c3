import { person } from "../domain/incident";
import type { IncidentRef } from "./find-incident";
import { findOpenIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/** `/incident status TEXT`: a person's status update, announced with progress and key figures. */
export async function postStatusUpdate(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; text: string; by: string },
): Promise<UseCaseResult<{ incidentId: string }>> {
  const found = await findOpenIncident(deps, input.incident);
  if (!found.ok) return found;
  const text = input.text.trim();
  if (!text) return fail("invalid-input", "Say what the status is: /incident status TEXT.");
  await recordEvent(deps, found.value.id, {
    type: "status-update",
    key: `status-${deps.clock.now()}-${deps.randomSuffix()}`,
    at: deps.clock.now(),
    actor: person(input.by),
    summary: `Status: ${text.split("\n")[0]?.slice(0, 200) ?? ""}`,
    details: { text, reminder: false },
  });
  return succeed({ incidentId: found.value.id });
}
