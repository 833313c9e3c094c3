import type { Approval } from "../domain/approval";
import { BOT, type Actor } from "../domain/incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";

/** The approval's expiry job: records `expired` unless a person decided first (atomic either way). */
export async function expireApproval(
  deps: LifecycleDeps,
  input: { approvalId: string },
): Promise<"expired" | "already-decided" | "missing"> {
  const found = await deps.approvals.get(input.approvalId);
  if (!found) return "missing";
  const now = deps.clock.now();
  const expired = await closeApproval(deps, found.approval, {
    at: Math.max(now, found.approval.expiresAt),
    actor: BOT,
    summary: `Approval for ${found.approval.title} expired unanswered`,
  });
  return expired ? "expired" : "already-decided";
}

/**
 * Records `expired` for a request nobody decided and writes `approval-expired` (whose announcement
 * updates the card). False when a decision got there first: then nothing is written.
 */
export async function closeApproval(
  deps: LifecycleDeps,
  approval: Approval,
  why: { at: number; actor: Actor; summary: string; reason?: string },
): Promise<boolean> {
  const { recorded } = await deps.approvals.decide(approval.id, {
    state: "expired",
    by: null,
    at: why.at,
  });
  if (!recorded) return false;
  await recordEvent(deps, approval.incidentId, {
    type: "approval-expired",
    key: `approval-decided:${approval.id}`,
    at: deps.clock.now(),
    actor: why.actor,
    summary: why.summary,
    details: { approvalId: approval.id, ...(why.reason ? { reason: why.reason } : {}) },
  });
  return true;
}
