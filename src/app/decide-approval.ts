import {
  alreadyDecided,
  checkDecision,
  checkIncidentOpen,
  type Approval,
  type ApprovalDecision,
} from "../domain/approval";
import { person } from "../domain/incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

export interface DecideApprovalInput {
  approvalId: string;
  decision: "approved" | "denied";
  /** The person who clicked. */
  by: string;
}

/**
 * An approver's click. The rules (approvers only, not your own request, not after expiry, not once
 * the incident is resolved) are the domain's; the store records the first decision atomically, so a second click or two clicks at
 * once change nothing and get told why. An approval enqueues one remediation job per host with a
 * deterministic id; the worker's claim marker makes sure the action itself runs once.
 */
export async function decideApproval(
  deps: LifecycleDeps,
  input: DecideApprovalInput,
): Promise<UseCaseResult<{ approval: Approval; decision: ApprovalDecision }>> {
  const found = await deps.approvals.get(input.approvalId);
  if (!found) return fail("not-found", `No approval request ${input.approvalId}.`);
  const { approval } = found;
  const incident = await deps.incidents.get(approval.incidentId);
  if (!incident) return fail("not-found", `No incident ${approval.incidentId}.`);
  // Before anything else, so a click after resolution neither decides nor re-enqueues.
  const closed = checkIncidentOpen(incident);
  if (closed && !closed.ok) return fail(closed.code, closed.message);
  const now = deps.clock.now();
  const policy = {
    approvers: deps.settings.approvers,
    allowSelfApproval: deps.settings.allowSelfApproval,
  };
  const check = checkDecision(approval, found.decision, input.decision, input.by, now, policy);
  if (!check.ok) {
    // Heals a crash between recording an approval and enqueueing its jobs (ids dedupe them).
    if (found.decision?.state === "approved") await enqueueRemediation(deps, approval);
    return fail(check.code, check.message);
  }
  const { recorded, decision } = await deps.approvals.decide(approval.id, check.decision);
  if (!recorded) {
    const why = alreadyDecided(decision);
    return why.ok ? fail("conflict", "Decided elsewhere.") : fail(why.code, why.message);
  }
  const granted = decision.state === "approved";
  deps.metrics?.approvalDecided(granted ? "approved" : "denied");
  await recordEvent(
    deps,
    approval.incidentId,
    granted
      ? {
          type: "approval-granted",
          key: `approval-decided:${approval.id}`,
          at: now,
          actor: person(input.by),
          summary: `<@${input.by}> approved ${approval.title} on ${approval.hosts.join(", ")}`,
          details: { approvalId: approval.id, by: input.by },
        }
      : {
          type: "approval-denied",
          key: `approval-decided:${approval.id}`,
          at: now,
          actor: person(input.by),
          summary: `<@${input.by}> denied ${approval.title}`,
          details: { approvalId: approval.id, by: input.by },
        },
  );
  await deps.queue.cancelApprovalExpiry(approval.id);
  if (granted) await enqueueRemediation(deps, approval);
  return succeed({ approval, decision });
}

async function enqueueRemediation(deps: LifecycleDeps, approval: Approval): Promise<void> {
  for (const host of approval.hosts) {
    await deps.queue.enqueueRemediation({
      incidentId: approval.incidentId,
      approvalId: approval.id,
      host,
    });
  }
}
