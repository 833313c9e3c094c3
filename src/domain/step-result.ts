import { z } from "zod";
import { Cause } from "./cause";

/**
 * What happened to one step on one host. `ok`: it ran and (for checks) passed; `failed`: it ran and
 * a check's expectation did not hold; `error`: it could not run (unreachable, auth, timeout);
 * `skipped`: not run (dry run, precheck failed, manual item); `awaiting-approval`: a remediation
 * waiting for a human.
 */
export const StepStatus = z.enum(["ok", "failed", "error", "skipped", "awaiting-approval"]);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepResult = z.object({
  id: z.string(),
  status: StepStatus,
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int().nonnegative(),
  /** stdout (and stderr) as the operator would see it, capped with a visible marker. */
  output: z.string(),
  /** Why a step failed or errored, in an operator's words. */
  reason: z.string().optional(),
});
export type StepResult = z.infer<typeof StepResult>;

/** One piece of evidence pointing at a cause on one host. */
export const Finding = z.object({
  cause: Cause,
  evidence: z.array(z.string()),
  confidence: z.number().min(0).max(1),
});
export type Finding = z.infer<typeof Finding>;

export const HostReport = z.object({
  host: z.string(),
  steps: z.array(StepResult),
  findings: z.array(Finding),
});
export type HostReport = z.infer<typeof HostReport>;

/** The incident-level conclusion across every host. */
export const Diagnosis = z.object({
  cause: Cause,
  hosts: z.array(z.string()),
  summary: z.string(),
  recommendation: z.string(),
  /** Further causes seen on other hosts, when the fleet does not agree on one. */
  others: z.array(z.object({ cause: Cause, hosts: z.array(z.string()) })).optional(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** The `run --json` document of the external contract. */
export const PlaybookRunReport = z.object({
  playbook: z.string(),
  phase: z.string(),
  hosts: z.array(HostReport),
  diagnosis: Diagnosis,
});
export type PlaybookRunReport = z.infer<typeof PlaybookRunReport>;

/** How a step's `reason` starts when the engine could not connect to its host at all. */
export const CANNOT_REACH = "cannot reach host: ";

/** A step that failed only because its host could not be connected. */
export function isUnreachable(result: StepResult): boolean {
  return result.status === "error" && (result.reason ?? "").startsWith(CANNOT_REACH);
}

/** Was the host reached? False when its steps failed only because it could not be connected. */
export function hostWasReachable(report: HostReport): boolean {
  return !report.steps.some(isUnreachable);
}
