import { person } from "../domain/incident";
import type { IncidentRef } from "./find-incident";
import { findOpenIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/** `/incident commander @user`. */
export async function setCommander(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; commander: string; by: string },
): Promise<UseCaseResult<{ incidentId: string; commander: string }>> {
  const found = await findOpenIncident(deps, input.incident);
  if (!found.ok) return found;
  const named = input.commander.trim();
  if (!named) return fail("invalid-input", "Name the commander: /incident commander @user.");
  // `@me`: whoever typed it takes the incident (an alert's incident starts without a commander).
  const commander = named.toLowerCase() === "me" ? input.by : named;
  await deps.incidents.update(found.value.id, (current) =>
    current.commander === commander ? null : { ...current, commander },
  );
  await recordEvent(deps, found.value.id, {
    type: "commander-set",
    key: `commander-${deps.clock.now()}-${deps.randomSuffix()}`,
    at: deps.clock.now(),
    actor: person(input.by),
    summary: `Commander: ${commander}`,
    details: { commander },
  });
  return succeed({ incidentId: found.value.id, commander });
}
