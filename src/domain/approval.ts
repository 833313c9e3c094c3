import { z } from "zod";
import type { IncidentState } from "./incident";
import { RemediationStep } from "./playbook";

/**
 * A request to run one remediation step on some hosts. pending → approved | denied | expired; a
 * decision is final. Who may decide and when is checked here; recording the decision exactly once
 * (two clicks at the same moment) is the store's job.
 */
export const ApprovalState = z.enum(["pending", "approved", "denied", "expired"]);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** Approval ids are safe as BullMQ job-id parts: no ':' and never all digits. */
export const ApprovalId = z.string().regex(/^apr-[a-z0-9-]{1,120}$/);
export type ApprovalId = z.infer<typeof ApprovalId>;

/**
 * The exact commands one host will run, rendered when the approval was asked for: the worker runs
 * these strings, never a re-render from the playbook or inventory of a later moment. `digest`
 * fingerprints the three (see remediationDigestText); a remediation job carries it, and a job
 * whose digest differs from the stored one is refused.
 */
export const HostRemediationPlan = z.object({
  host: z.string(),
  precheck: z.string(),
  action: z.string(),
  verify: z.string(),
  digest: z.string().min(1),
});
export type HostRemediationPlan = z.infer<typeof HostRemediationPlan>;

/** What is fingerprinted for one host: the commands in the order they run. */
export function remediationDigestText(plan: Omit<HostRemediationPlan, "digest">): string {
  return JSON.stringify([plan.host, plan.precheck, plan.action, plan.verify]);
}

export const Approval = z.object({
  id: ApprovalId,
  incidentId: z.string(),
  runId: z.string(),
  playbook: z.string(),
  stepId: z.string(),
  title: z.string(),
  hosts: z.array(z.string()).min(1),
  /** The distinct actions, as the card shows them. */
  commands: z.array(z.string()),
  /** Per host, the exact commands that run once approved (one entry per name in `hosts`). */
  plan: z.array(HostRemediationPlan).min(1),
  /** The step as it was when asked: its timeouts, expectations and verification attempts. */
  step: RemediationStep,
  precheck: z.string().nullable(),
  /** A person's id, or "bot" when the phase clock or a run asked. */
  requestedBy: z.string(),
  /**
   * Who counts as the requester for the two-person rule: `requestedBy`, or the incident's declarer
   * when the bot asked (so nobody approves a request made on their own behalf).
   */
  requester: z.string(),
  /** How many distinct allowed approvers must approve (INCIDENT_APPROVALS_REQUIRED when asked). */
  required: z.number().int().min(1),
  requestedAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type Approval = z.infer<typeof Approval>;

/** One approver's approval; the request is approved once `required` distinct ones are in. */
export const ApprovalGrant = z.object({ by: z.string(), at: z.number().int() });
export type ApprovalGrant = z.infer<typeof ApprovalGrant>;

export function approvalsStillNeeded(approval: Approval, grants: readonly ApprovalGrant[]): number {
  return Math.max(0, approval.required - new Set(grants.map((g) => g.by)).size);
}

export const ApprovalDecision = z.object({
  state: z.enum(["approved", "denied", "expired"]),
  /** Who decided; null when the clock expired it. */
  by: z.string().nullable(),
  at: z.number().int(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const DEFAULT_APPROVAL_EXPIRY_MS = 10 * 60 * 1000;

export function approvalIdFor(runId: string, stepId: string): ApprovalId {
  return ApprovalId.parse(`apr-${runId}-${stepId}`.toLowerCase().replace(/[^a-z0-9-]/g, "-"));
}

export interface ApprovalPolicy {
  /** Empty: nobody can approve (the contract's INCIDENT_APPROVERS). */
  approvers: readonly string[];
  /** Off by default: the person who asked cannot approve their own request. */
  allowSelfApproval: boolean;
}

export type DecisionRefusal =
  | "not-an-approver"
  | "own-request"
  | "already-decided"
  | "already-approved-by-you"
  | "expired"
  | "incident-resolved";

export type DecisionCheck =
  { ok: true; decision: ApprovalDecision } | { ok: false; code: DecisionRefusal; message: string };

/**
 * May `by` approve or deny this request now? Denying follows the same rules as approving, but one
 * allowed denial closes the request; an approval counts once per person towards `required`.
 */
export function checkDecision(
  approval: Approval,
  current: ApprovalDecision | null,
  wanted: "approved" | "denied",
  by: string,
  now: number,
  policy: ApprovalPolicy,
  grants: readonly ApprovalGrant[] = [],
): DecisionCheck {
  if (current) return alreadyDecided(current);
  if (now >= approval.expiresAt) {
    return { ok: false, code: "expired", message: "This request has expired; ask again." };
  }
  if (!policy.approvers.includes(by)) {
    return {
      ok: false,
      code: "not-an-approver",
      message: "Only the incident approvers (INCIDENT_APPROVERS) can decide remediation.",
    };
  }
  if (!policy.allowSelfApproval && wanted === "approved" && by === approval.requester) {
    return {
      ok: false,
      code: "own-request",
      message:
        approval.requestedBy === approval.requester
          ? "You requested this remediation; another approver has to approve it."
          : "This remediation was requested for your incident; another approver has to approve it.",
    };
  }
  if (wanted === "approved" && grants.some((g) => g.by === by)) {
    const left = approvalsStillNeeded(approval, grants);
    return {
      ok: false,
      code: "already-approved-by-you",
      message: `You already approved this; it needs ${left} more approval${left === 1 ? "" : "s"} from other approvers.`,
    };
  }
  return { ok: true, decision: { state: wanted, by, at: now } };
}

/**
 * A resolved incident takes no more decisions: its pending requests were closed when it was
 * resolved, and a remediation now would change a proxy nobody is watching any more.
 */
export function checkIncidentOpen(incident: {
  id: string;
  state: IncidentState;
}): DecisionCheck | null {
  if (incident.state !== "resolved") return null;
  return {
    ok: false,
    code: "incident-resolved",
    message: `Incident ${incident.id} is resolved; its approval requests are closed.`,
  };
}

export function alreadyDecided(current: ApprovalDecision): DecisionCheck {
  if (current.state === "expired") {
    return { ok: false, code: "expired", message: "This request has expired; ask again." };
  }
  // Plain text like every message a use case returns; the chat surface escapes it.
  const who = current.by ? ` by @${current.by}` : "";
  return {
    ok: false,
    code: "already-decided",
    message: `This request was already ${current.state}${who}; nothing changed.`,
  };
}

export function stateOf(decision: ApprovalDecision | null): ApprovalState {
  return decision ? decision.state : "pending";
}

/** "90s", "10m", "1h", "500ms" → milliseconds (the playbook's Duration format). */
export function durationMs(duration: string): number {
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
