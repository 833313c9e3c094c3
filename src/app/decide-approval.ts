import {
  alreadyDecided,
  approvalsStillNeeded,
  checkDecision,
  checkIncidentOpen,
  type Approval,
  type ApprovalDecision,
  type ApprovalGrant,
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
 * An approver's click. The rules (approvers only, not your own request, each approver once, not
 * after expiry, not once the incident is resolved) are the domain's. An approval counts towards
 * the request's `required` distinct approvers; the store adds it atomically and records the
 * decision `approved` with the one that completes it, so two clicks at once change nothing twice.
 * A denial by an allowed approver closes the request. Once approved, one remediation job per host
 * is enqueued with a deterministic id, carrying the digest of the commands the approval showed.
 */
export async function decideApproval(
  deps: LifecycleDeps,
  input: DecideApprovalInput,
): Promise<UseCaseResult<DecidedApproval>> {
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
  const check = checkDecision(
    approval,
    found.decision,
    input.decision,
    input.by,
    now,
    policy,
    found.grants,
  );
  if (!check.ok) {
    // Heals a crash between recording an approval and enqueueing its jobs (ids dedupe them).
    if (found.decision?.state === "approved") await enqueueRemediation(deps, approval);
    return fail(check.code, check.message);
  }
  return input.decision === "approved"
    ? grant(deps, approval, input.by, now)
    : deny(deps, approval, check.decision, now);
}

export interface DecidedApproval {
  approval: Approval;
  /** Null while approvals are still missing. */
  decision: ApprovalDecision | null;
  grants: ApprovalGrant[];
  stillNeeded: number;
}

async function grant(
  deps: LifecycleDeps,
  approval: Approval,
  by: string,
  now: number,
): Promise<UseCaseResult<DecidedApproval>> {
  const { recorded, grants, decision } = await deps.approvals.grant(approval, { by, at: now });
  if (!recorded) return refusedRepeat(decision, approval, grants, by);
  const stillNeeded = approvalsStillNeeded(approval, grants);
  await recordEvent(deps, approval.incidentId, {
    type: "approval-granted",
    key: `approval-granted:${approval.id}:${by}`,
    at: now,
    actor: person(by),
    summary:
      stillNeeded === 0
        ? `approved ${approval.title} on ${approval.hosts.join(", ")}`
        : `approved ${approval.title} (${grants.length} of ${approval.required}; ${stillNeeded} more needed)`,
    details: { approvalId: approval.id, by, approvals: grants.length, required: approval.required },
  });
  if (decision?.state === "approved") {
    deps.metrics?.approvalDecided("approved");
    await deps.queue.cancelApprovalExpiry(approval.id);
    await enqueueRemediation(deps, approval);
  }
  return succeed({ approval, decision, grants, stillNeeded });
}

async function deny(
  deps: LifecycleDeps,
  approval: Approval,
  wanted: ApprovalDecision,
  now: number,
): Promise<UseCaseResult<DecidedApproval>> {
  const { recorded, decision } = await deps.approvals.decide(approval.id, wanted);
  if (!recorded) {
    const why = alreadyDecided(decision);
    return why.ok ? fail("conflict", "Decided elsewhere.") : fail(why.code, why.message);
  }
  deps.metrics?.approvalDecided("denied");
  const by = wanted.by ?? "";
  await recordEvent(deps, approval.incidentId, {
    type: "approval-denied",
    key: `approval-decided:${approval.id}`,
    at: now,
    actor: person(by),
    summary: `denied ${approval.title}`,
    details: { approvalId: approval.id, by },
  });
  await deps.queue.cancelApprovalExpiry(approval.id);
  const grants = (await deps.approvals.get(approval.id))?.grants ?? [];
  return succeed({
    approval,
    decision,
    grants,
    stillNeeded: approvalsStillNeeded(approval, grants),
  });
}

/** A grant the store did not add: decided meanwhile, or this person was counted already. */
function refusedRepeat(
  decision: ApprovalDecision | null,
  approval: Approval,
  grants: readonly ApprovalGrant[],
  by: string,
): UseCaseResult<DecidedApproval> {
  if (decision && !(decision.state === "approved" && decision.by === by)) {
    const why = alreadyDecided(decision);
    return why.ok ? fail("conflict", "Decided elsewhere.") : fail(why.code, why.message);
  }
  const left = approvalsStillNeeded(approval, grants);
  return fail(
    "already-decided",
    left === 0
      ? "You already approved this; it is approved."
      : `You already approved this; it needs ${left} more approval${left === 1 ? "" : "s"} from other approvers.`,
  );
}

async function enqueueRemediation(deps: LifecycleDeps, approval: Approval): Promise<void> {
  for (const plan of approval.plan) {
    await deps.queue.enqueueRemediation({
      incidentId: approval.incidentId,
      approvalId: approval.id,
      host: plan.host,
      commandDigest: plan.digest,
    });
  }
}
