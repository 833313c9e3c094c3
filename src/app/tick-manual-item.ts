import { person } from "../domain/incident";
import { incidentProgress } from "../domain/incident-progress";
import type { IncidentRef } from "./find-incident";
import { findIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/** Ticks a manual checklist item (long-term follow-ups); ticking twice changes nothing. */
export async function tickManualItem(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; stepId: string; by: string },
): Promise<UseCaseResult<{ incidentId: string; alreadyTicked: boolean }>> {
  const found = await findIncident(deps, input.incident);
  if (!found.ok) return found;
  const events = await deps.timeline.read(found.value.id);
  const item = incidentProgress(events).find(
    (i) => i.kind === "manual" && i.stepId === input.stepId,
  );
  if (!item) return fail("not-found", `No manual item ${input.stepId} on this incident.`);
  const appended = await recordEvent(deps, found.value.id, {
    type: "manual-item-ticked",
    key: `manual-ticked:${item.phase}:${item.stepId}`,
    at: deps.clock.now(),
    actor: person(input.by),
    summary: `Done: ${item.title}`,
    details: { stepId: item.stepId, title: item.title, by: input.by },
  });
  return succeed({ incidentId: found.value.id, alreadyTicked: !appended });
}
