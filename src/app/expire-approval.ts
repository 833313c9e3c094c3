import { BOT } from "../domain/incident";
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
  const { recorded } = await deps.approvals.decide(found.approval.id, {
    state: "expired",
    by: null,
    at: Math.max(now, found.approval.expiresAt),
  });
  if (!recorded) return "already-decided";
  await recordEvent(deps, found.approval.incidentId, {
    type: "approval-expired",
    key: `approval-decided:${found.approval.id}`,
    at: now,
    actor: BOT,
    summary: `Approval for ${found.approval.title} expired unanswered`,
    details: { approvalId: found.approval.id },
  });
  return "expired";
}
