import { ApprovalId } from "../domain/approval";
import { decideApproval } from "./decide-approval";
import type { IncidentRef } from "./find-incident";
import { outcome, refused, type Refused } from "./handle-incident-command";
import type { LifecycleDeps } from "./lifecycle-deps";
import { tickManualItem } from "./tick-manual-item";

/**
 * What came of a click (Slack's buttons, the shell's `a`/`d` and `/tick`). A decision or a tick is
 * announced from the timeline (the cards are updated), so only a refusal or a repeat has words.
 */
export type ActionOutcome = Refused | { kind: "done" } | { kind: "already-done" };

/** Approve or Deny on an approval card. */
export async function handleApprovalClick(
  deps: LifecycleDeps,
  input: { approvalId: string; decision: "approve" | "deny"; user: string },
): Promise<ActionOutcome> {
  // The id comes back from chat (a button's value, a typed id): input like any other.
  if (!ApprovalId.safeParse(input.approvalId).success) {
    return refused({ code: "invalid-input", message: "That is not an approval request id." });
  }
  return outcome(
    await decideApproval(deps, {
      approvalId: input.approvalId,
      decision: input.decision === "approve" ? "approved" : "denied",
      by: input.user,
    }),
  );
}

/** Done on a manual checklist item: by incident id (Slack's button) or channel (the shell). */
export async function handleManualTick(
  deps: LifecycleDeps,
  input: { incident: IncidentRef; stepId: string; user: string },
): Promise<ActionOutcome> {
  return outcome(
    await tickManualItem(deps, { incident: input.incident, stepId: input.stepId, by: input.user }),
    ({ alreadyTicked }) => ({ kind: alreadyTicked ? "already-done" : "done" }),
  );
}
