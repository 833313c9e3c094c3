import { canChangeState, person, type Incident } from "../domain/incident";
import { renderPostmortem } from "../domain/postmortem";
import type { IncidentRef } from "./find-incident";
import { findIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { closeApproval } from "./expire-approval";
import { recordEvent } from "./record-event";
import { cancelPendingClockEntry } from "./schedule-phase-clock";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/**
 * `/incident resolve [SUMMARY]`: state resolved, the pending clock entry removed, every approval
 * request still pending closed as expired (its card says so), and the postmortem draft rendered
 * from the timeline (the announce job uploads it to the channel).
 */
export async function resolveIncident(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; by: string; summary?: string },
): Promise<UseCaseResult<{ incident: Incident; postmortem: string }>> {
  const found = await findIncident(deps, input.incident);
  if (!found.ok) return found;
  if (!canChangeState(found.value.state, "resolved")) {
    return fail("invalid-state", `Incident ${found.value.id} is already ${found.value.state}.`);
  }
  const now = deps.clock.now();
  const summary = input.summary?.trim() || null;
  const updated = await deps.incidents.update(found.value.id, (current) =>
    canChangeState(current.state, "resolved")
      ? { ...current, state: "resolved", resolvedAt: now, summary: summary ?? current.summary }
      : null,
  );
  if (!updated || updated.state !== "resolved") return fail("invalid-state", "Changed meanwhile.");
  // Cancel first: a reminder firing after `resolved` would read oddly even though it is skipped.
  await cancelPendingClockEntry(deps, updated, now);
  await recordEvent(deps, updated.id, {
    type: "state-changed",
    key: "state-resolved",
    at: now,
    actor: person(input.by),
    summary: `State ${found.value.state} → resolved`,
    details: { from: found.value.state, to: "resolved" },
  });
  await closePendingApprovals(deps, updated, input.by);
  await recordEvent(deps, updated.id, {
    type: "resolved",
    key: "resolved",
    at: now,
    actor: person(input.by),
    summary: `Resolved${summary ? `: ${summary}` : ""}`,
    details: { summary: summary ?? "" },
  });
  const events = await deps.timeline.read(updated.id);
  const postmortem = renderPostmortem(
    updated,
    events,
    now,
    deps.settings.phaseMinuteMs,
    deps.settings.targets,
  );
  return succeed({ incident: updated, postmortem });
}

/** Nobody can decide on a resolved incident, so its open requests close now rather than later. */
async function closePendingApprovals(
  deps: LifecycleDeps,
  incident: Incident,
  by: string,
): Promise<void> {
  for (const approval of await deps.approvals.listForIncident(incident.id)) {
    const found = await deps.approvals.get(approval.id);
    if (!found || found.decision) continue;
    const closed = await closeApproval(deps, approval, {
      at: deps.clock.now(),
      actor: person(by),
      summary: `Approval for ${approval.title} closed unanswered: the incident was resolved`,
      reason: "incident-resolved",
    });
    if (closed) await deps.queue.cancelApprovalExpiry(approval.id);
  }
}
