import type { Incident } from "../domain/incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/** A command names its incident by id, or is typed in the incident's channel. */
export type IncidentRef = { incidentId: string } | { channel: string };

export async function findIncident(
  deps: Pick<LifecycleDeps, "incidents">,
  ref: IncidentRef,
): Promise<UseCaseResult<Incident>> {
  if ("incidentId" in ref) {
    const incident = await deps.incidents.get(ref.incidentId);
    return incident ? succeed(incident) : fail("not-found", `No incident ${ref.incidentId}.`);
  }
  const incident = await deps.incidents.findByChannel(ref.channel);
  return incident
    ? succeed(incident)
    : fail("no-incident-here", "This channel has no incident; use it in an incident channel.");
}

export async function findOpenIncident(
  deps: Pick<LifecycleDeps, "incidents">,
  ref: IncidentRef,
): Promise<UseCaseResult<Incident>> {
  const found = await findIncident(deps, ref);
  if (found.ok && found.value.state === "resolved") {
    return fail("invalid-state", `Incident ${found.value.id} is resolved.`);
  }
  return found;
}
