import { z } from "zod";
import type { Approval, ApprovalDecision, ApprovalGrant } from "../domain/approval";
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

export interface StoredApproval {
  approval: Approval;
  decision: ApprovalDecision | null;
  /** The approvals given so far (in order), towards `approval.required`. */
  grants: ApprovalGrant[];
}

/** Approval requests, their one decision, and the claims that keep a remediation from running twice. */
export interface ApprovalStore {
  /** False when it exists already. */
  create(approval: Approval): Promise<boolean>;
  get(id: string): Promise<StoredApproval | null>;
  listForIncident(incidentId: string): Promise<Approval[]>;
  /**
   * Records the decision only if none is recorded yet (atomic). Returns the decision that stands:
   * `recorded` is false when another decision (a second click, the expiry) got there first.
   */
  decide(
    id: string,
    decision: ApprovalDecision,
  ): Promise<{ recorded: boolean; decision: ApprovalDecision }>;
  /**
   * Adds one approver's approval (atomic): nothing when a decision already stands or this person
   * approved already; when the grants reach `approval.required` it records the decision
   * `approved` (by the last approver) in the same step, so exactly one click completes it.
   */
  grant(
    approval: Approval,
    grant: ApprovalGrant,
  ): Promise<{ recorded: boolean; grants: ApprovalGrant[]; decision: ApprovalDecision | null }>;
  /**
   * The per-host remediation lock: true when taken (SET NX with a time to live), so two approved
   * remediations never act on one host at once. Only the holder's token releases it.
   */
  lockHost(host: string, token: string, ttlMs: number): Promise<boolean>;
  unlockHost(host: string, token: string): Promise<void>;
  /** The token that holds the host's lock now, or null. */
  hostLockHolder(host: string): Promise<string | null>;
  /** Takes the one-time right to run the action on this host; false when already taken. */
  claimRemediation(approvalId: string, host: string): Promise<boolean>;
  /** Keeps the first outcome recorded for the host; false when one was there already. */
  recordRemediation(approvalId: string, outcome: RemediationOutcome): Promise<boolean>;
  remediationOutcome(approvalId: string, host: string): Promise<RemediationOutcome | null>;
  /** The approval card in chat, so later announcements update it in place. */
  setCardRef(approvalId: string, ref: string): Promise<void>;
  cardRef(approvalId: string): Promise<string | null>;
}
