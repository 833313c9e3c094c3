import { z } from "zod";
import type { Approval, ApprovalDecision } from "../domain/approval";
import { StepStatus } from "../domain/step-result";

export const RemediationOutcome = z.object({
  host: z.string(),
  precheck: StepStatus,
  action: StepStatus,
  verification: StepStatus,
  output: z.string(),
  finishedAt: z.number().int(),
});
export type RemediationOutcome = z.infer<typeof RemediationOutcome>;

/** Approval requests, their one decision, and the claims that keep a remediation from running twice. */
export interface ApprovalStore {
  /** False when it exists already. */
  create(approval: Approval): Promise<boolean>;
  get(id: string): Promise<{ approval: Approval; decision: ApprovalDecision | null } | null>;
  listForIncident(incidentId: string): Promise<Approval[]>;
  /**
   * Records the decision only if none is recorded yet (atomic). Returns the decision that stands:
   * `recorded` is false when another decision (a second click, the expiry) got there first.
   */
  decide(
    id: string,
    decision: ApprovalDecision,
  ): Promise<{ recorded: boolean; decision: ApprovalDecision }>;
  /** Takes the one-time right to run the action on this host; false when already taken. */
  claimRemediation(approvalId: string, host: string): Promise<boolean>;
  /** Keeps the first outcome recorded for the host; false when one was there already. */
  recordRemediation(approvalId: string, outcome: RemediationOutcome): Promise<boolean>;
  remediationOutcome(approvalId: string, host: string): Promise<RemediationOutcome | null>;
  /** The approval card in chat, so later announcements update it in place. */
  setCardRef(approvalId: string, ref: string): Promise<void>;
  cardRef(approvalId: string): Promise<string | null>;
}
