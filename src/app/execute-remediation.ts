import type { Approval } from "../domain/approval";
import { BOT } from "../domain/incident";
import type { StepResult } from "../domain/step-result";
import type { RemediationOutcome } from "../ports/approval-store";
import type { RemediationJob } from "../ports/job-queue";
import type { RemediationResult } from "../ports/playbook-runner";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { suggestMitigation } from "./suggest-mitigation";
import { LifecycleError } from "./use-case-result";

export const INTERRUPTED = "interrupted — check the host by hand";

/**
 * The remediation job for one approved request on one host. It takes a claim (SET NX) before the
 * action; a job that finds the claim taken and no outcome knows an earlier run died mid-action and
 * reports `error: interrupted — check the host by hand` instead of running the action again. The
 * queue gives it one attempt; any failure here is final.
 */
export async function executeRemediation(
  deps: LifecycleDeps,
  job: RemediationJob,
): Promise<RemediationOutcome> {
  const found = await deps.approvals.get(job.approvalId);
  if (!found) throw new LifecycleError("not-found", `No approval ${job.approvalId}.`, false);
  if (found.decision?.state !== "approved") {
    throw new LifecycleError("not-approved", `${job.approvalId} is not approved.`, false);
  }
  const existing = await deps.approvals.remediationOutcome(job.approvalId, job.host);
  if (existing) return existing;
  if (!(await deps.approvals.claimRemediation(job.approvalId, job.host))) {
    return finish(deps, job, found.approval, interrupted(job.host, deps.clock.now()));
  }
  const { approval } = found;
  let outcome: RemediationOutcome;
  try {
    const playbook = await deps.runner.getPlaybook(approval.playbook);
    const [host] = await deps.runner.resolveHosts([job.host]);
    if (!playbook || !host)
      throw new Error(`playbook ${approval.playbook} or host ${job.host} gone`);
    const result = await deps.runner.runRemediation(playbook, approval.stepId, host);
    outcome = toOutcome(job.host, result, deps.clock.now());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { ...interrupted(job.host, deps.clock.now()), output: `could not run: ${message}` };
    await finish(deps, job, approval, outcome);
    throw new LifecycleError("remediation-failed", message, false);
  }
  return finish(deps, job, approval, outcome);
}

async function finish(
  deps: LifecycleDeps,
  job: RemediationJob,
  approval: Approval,
  outcome: RemediationOutcome,
): Promise<RemediationOutcome> {
  const { stepId } = approval;
  await deps.approvals.recordRemediation(job.approvalId, outcome);
  const stored = (await deps.approvals.remediationOutcome(job.approvalId, job.host)) ?? outcome;
  await recordEvent(deps, job.incidentId, {
    type: "remediation-finished",
    key: `remediation-finished:${job.approvalId}:${job.host}`,
    at: stored.finishedAt,
    actor: BOT,
    summary: `Remediation ${stepId} on ${job.host}: precheck ${stored.precheck}, action ${stored.action}, verification ${stored.verification}`,
    details: {
      approvalId: job.approvalId,
      host: job.host,
      stepId,
      precheck: stored.precheck,
      action: stored.action,
      verification: stored.verification,
      output: stored.output,
    },
  });
  // After this host's own event, so the channel reads the results before the suggestion.
  await suggestMitigation(deps, approval);
  return stored;
}

function interrupted(host: string, at: number): RemediationOutcome {
  return {
    host,
    precheck: "error",
    action: "error",
    verification: "skipped",
    output: `error: ${INTERRUPTED}`,
    finishedAt: at,
  };
}

function toOutcome(host: string, r: RemediationResult, at: number): RemediationOutcome {
  const part = (label: string, s: StepResult | null): string =>
    s ? `${label}: ${s.status}${s.reason ? ` (${s.reason})` : ""}\n${s.output}`.trim() : "";
  return {
    host,
    precheck: r.precheck.status,
    action: r.action?.status ?? "skipped",
    verification: r.verification?.status ?? "skipped",
    output: [
      part("precheck", r.precheck),
      part("action", r.action),
      part("verification", r.verification),
    ]
      .filter(Boolean)
      .join("\n"),
    finishedAt: at,
  };
}
