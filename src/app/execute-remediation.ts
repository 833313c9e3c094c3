import { remediationDigestText, type Approval, type HostRemediationPlan } from "../domain/approval";
import { parseDuration } from "../domain/duration";
import type { RemediationStep } from "../domain/playbook";
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
 * The remediation job for one approved request on one host. It runs only what the approval
 * showed: the job's incident must be the approval's, its host one of the approval's hosts, and
 * its command digest the one stored for that host (also recomputed from the stored commands);
 * otherwise it records `remediation-refused` with the reason and runs nothing. It holds the host's
 * remediation lock while it acts, so two approved remediations never act on one host at once. It
 * takes a claim (SET NX) before the action; a job that finds the claim taken and no outcome knows
 * an earlier run died mid-action and reports `error: interrupted — check the host by hand` instead
 * of running the action again. The queue gives it one attempt; any failure here is final.
 */
export async function executeRemediation(
  deps: LifecycleDeps,
  job: RemediationJob,
  lockWait: HostLockWait = DEFAULT_HOST_LOCK_WAIT,
): Promise<RemediationOutcome> {
  const found = await deps.approvals.get(job.approvalId);
  if (!found) throw new LifecycleError("not-found", `No approval ${job.approvalId}.`, false);
  if (found.decision?.state !== "approved") {
    throw new LifecycleError("not-approved", `${job.approvalId} is not approved.`, false);
  }
  const { approval } = found;
  const plan = await boundPlan(deps, job, approval);
  const existing = await deps.approvals.remediationOutcome(job.approvalId, job.host);
  if (existing) return existing;
  const token = await acquireHostLock(deps, job, approval.step, lockWait);
  try {
    return await runClaimed(deps, job, approval, plan);
  } finally {
    await deps.approvals.unlockHost(job.host, token);
  }
}

async function runClaimed(
  deps: LifecycleDeps,
  job: RemediationJob,
  approval: Approval,
  plan: HostRemediationPlan,
): Promise<RemediationOutcome> {
  if (!(await deps.approvals.claimRemediation(job.approvalId, job.host))) {
    return finish(deps, job, approval, interrupted(job.host, deps.clock.now()));
  }
  let outcome: RemediationOutcome;
  try {
    const [host] = await deps.runner.resolveHosts([job.host]);
    if (!host) throw new Error(`host ${job.host} is no longer in the inventory`);
    const result = await deps.runner.runRemediation(approval.step, plan, host);
    outcome = toOutcome(job.host, result, deps.clock.now());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { ...interrupted(job.host, deps.clock.now()), output: `could not run: ${message}` };
    await finish(deps, job, approval, outcome);
    throw new LifecycleError("remediation-failed", message, false);
  }
  return finish(deps, job, approval, outcome);
}

/**
 * The approval's stored commands for the job's host, or a refusal: the job is for another
 * incident, a host the approval did not show, or commands other than the ones approved.
 */
async function boundPlan(
  deps: LifecycleDeps,
  job: RemediationJob,
  approval: Approval,
): Promise<HostRemediationPlan> {
  const plan = approval.plan.find((p) => p.host === job.host);
  const reason =
    job.incidentId !== approval.incidentId
      ? `the job is for incident ${job.incidentId}, the approval for ${approval.incidentId}`
      : !plan || !approval.hosts.includes(job.host)
        ? `${job.host} is not one of the approved hosts (${approval.hosts.join(", ")})`
        : plan.digest !== job.commandDigest ||
            deps.digest(remediationDigestText(plan)) !== plan.digest
          ? "the job's commands differ from the commands the approval showed"
          : null;
  if (plan && reason === null) return plan;
  const why = reason ?? "no approved commands for this host";
  await recordEvent(deps, approval.incidentId, {
    type: "remediation-refused",
    key: `remediation-refused:${job.approvalId}:${job.host}:${job.commandDigest.slice(0, 16)}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Refused to run ${approval.stepId} on ${job.host}: ${why}; nothing ran`,
    details: { approvalId: approval.id, host: job.host, reason: why },
  });
  throw new LifecycleError("remediation-refused", why, false);
}

/** How the job waits for another remediation on the same host to finish. */
export interface HostLockWait {
  pollMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_HOST_LOCK_WAIT: HostLockWait = {
  pollMs: 250,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Waits for the host's remediation lock and returns the token it holds it with. Its time to live
 * is the longest this remediation can take (precheck, action and every verification attempt with
 * their intervals) plus a margin, so a worker that died holding it blocks the host for that long
 * at most; the wait is bounded the same. A lock left by an earlier attempt of this very job (its
 * worker died) is taken over at once: the claim then tells that attempt's action was interrupted.
 */
async function acquireHostLock(
  deps: LifecycleDeps,
  job: RemediationJob,
  step: RemediationStep,
  wait: HostLockWait,
): Promise<string> {
  const own = `${job.approvalId}|${job.host}|`;
  const token = `${own}${deps.randomSuffix()}`;
  const ttlMs = longestRunMs(step) + 60_000;
  const deadline = deps.clock.now() + ttlMs;
  while (!(await deps.approvals.lockHost(job.host, token, ttlMs))) {
    const holder = await deps.approvals.hostLockHolder(job.host);
    if (holder?.startsWith(own)) return holder;
    if (deps.clock.now() >= deadline) {
      throw new LifecycleError("host-busy", `another remediation still holds ${job.host}`, true);
    }
    await wait.sleep(wait.pollMs);
  }
  return token;
}

const FALLBACK_STEP_TIMEOUT_MS = 5 * 60_000;

function longestRunMs(step: RemediationStep): number {
  const timeout = (t: string | undefined) =>
    t === undefined ? FALLBACK_STEP_TIMEOUT_MS : parseDuration(t);
  const { verify } = step;
  return (
    timeout(step.precheck.timeout ?? step.timeout) +
    timeout(step.timeout) +
    verify.attempts * (timeout(verify.timeout ?? step.timeout) + parseDuration(verify.interval))
  );
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
