import type { Playbook, Step } from "../domain/playbook";
import type { HostReport, StepResult } from "../domain/step-result";
import type { HostRunJob } from "../ports/job-queue";
import type { RunnerHooks, RunnerHost } from "../ports/playbook-runner";
import { concludeRun } from "./conclude-run";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordStepResult, recordStepStarted, type StepRef } from "./record-step-result";
import { groupTriageIn, recordHostTriage } from "./record-triage";
import { runHosts } from "./run-hosts";
import { LifecycleError } from "./use-case-result";

export interface AttemptInfo {
  /** No retry follows this attempt: record errors as final instead of retrying. */
  isLastAttempt: boolean;
}

/**
 * The host-run job: this host's steps of the run's phase, in order, over one connection. Finished
 * steps were recorded, so after a crash `shouldSkip` hands back their results and they do not run
 * again; a step interrupted by the crash was read-only (diagnostic or check), so running it again
 * is harmless. A remediation step never runs here: it is marked awaiting approval and requested
 * once the whole run is in. An `error` (could not run) is transient until the last attempt: the
 * job fails with a retryable error and BullMQ's backoff decides when to try again.
 */
export async function executeHostRun(
  deps: LifecycleDeps,
  job: HostRunJob,
  attempt: AttemptInfo,
): Promise<HostReport | null> {
  const run = await deps.runs.getRun(job.runId);
  if (!run) throw new LifecycleError("run-missing", `No run ${job.runId}.`, false);
  const incident = await deps.incidents.get(job.incidentId);
  if (!incident || incident.state === "resolved") return null;
  const playbook = await deps.runner.getPlaybook(run.playbook);
  if (!playbook)
    throw new LifecycleError("unknown-playbook", `No playbook ${run.playbook}.`, false);
  const steps = (playbook.phases[run.phase] ?? []).filter((s) => s.kind !== "manual");
  const [host] = await runHosts(deps, run, [job.host]);
  if (!host) throw new LifecycleError("unknown-host", `No host ${job.host}.`, false);

  const recorded = await deps.runs.stepResults(run.runId, job.host);
  const transient: string[] = [];
  const ref = (step: Step): StepRef => ({
    incidentId: run.incidentId,
    runId: run.runId,
    host: job.host,
    stepId: step.id,
    title: step.title,
    ...("parse" in step && step.parse ? { parser: step.parse } : {}),
  });
  const wait = deps.settings.deeperStepsWaitMs;
  const hooks: RunnerHooks = {
    ...stepHooks(deps, recorded, transient, ref, attempt, playbook.id),
    onTriage: (_host, report) => recordHostTriage(deps, run, report),
    // The first answer before the deeper steps: they follow the group's triage diagnosis.
    ...(wait > 0 ? { deeperStepsAfter: () => groupTriageIn(deps, run, wait) } : {}),
  };
  let findings: HostReport["findings"] = [];
  try {
    findings = (await runSteps(deps, playbook, steps, host, hooks)).findings;
  } catch (error) {
    const failure = asLifecycleError(error);
    if (failure.retryable && !attempt.isLastAttempt) throw failure;
    await recordUnrun(deps, steps, recorded, ref, failure.message);
  }
  if (transient.length > 0 && !attempt.isLastAttempt) {
    throw new LifecycleError(
      "step-transient",
      `Could not run ${transient.join(", ")}; retrying.`,
      true,
    );
  }
  const report: HostReport = {
    host: job.host,
    steps: steps.flatMap((s) => (recorded[s.id] ? [recorded[s.id] as StepResult] : [])),
    findings,
  };
  const { finished, total } = await deps.runs.finishHost(run.runId, report);
  if (finished >= total) await concludeRun(deps, run);
  return report;
}

function runSteps(
  deps: LifecycleDeps,
  playbook: Playbook,
  steps: Step[],
  host: RunnerHost,
  hooks: RunnerHooks,
): Promise<HostReport> {
  return deps.runner.runHostSteps(playbook, steps, host, hooks);
}

function stepHooks(
  deps: LifecycleDeps,
  recorded: Record<string, StepResult>,
  transient: string[],
  ref: (step: Step) => StepRef,
  attempt: AttemptInfo,
  playbookId: string,
): RunnerHooks {
  const record = async (step: Step, result: StepResult): Promise<void> => {
    recorded[step.id] = result;
    await recordStepResult(deps, ref(step), result);
  };
  return {
    shouldSkip: async (_host, step) => {
      const done = recorded[step.id];
      if (done) return done;
      if (step.kind !== "remediation") return null;
      const waiting = awaitingApproval(step);
      await record(step, waiting);
      return waiting;
    },
    onStepStarted: async (_host, step) => {
      if (!recorded[step.id] && step.kind !== "remediation")
        await recordStepStarted(deps, ref(step));
    },
    onStepFinished: async (_host, step, result) => {
      if (recorded[step.id]) return;
      deps.metrics?.stepFinished(playbookId, step.kind, result.status, result.durationMs / 1000);
      if (result.status === "error" && !attempt.isLastAttempt) {
        transient.push(step.id);
        return;
      }
      await record(step, result);
    },
  };
}

function awaitingApproval(step: Step): StepResult {
  return {
    id: step.id,
    status: "awaiting-approval",
    exitCode: null,
    durationMs: 0,
    output: "",
    reason: "a remediation runs only after a human approves it",
  };
}

/** On the last attempt, a step that never got a result is recorded as an error, so the run ends. */
async function recordUnrun(
  deps: LifecycleDeps,
  steps: Step[],
  recorded: Record<string, StepResult>,
  ref: (step: Step) => StepRef,
  reason: string,
): Promise<void> {
  for (const step of steps) {
    if (recorded[step.id]) continue;
    const result: StepResult =
      step.kind === "remediation"
        ? awaitingApproval(step)
        : { id: step.id, status: "error", exitCode: null, durationMs: 0, output: "", reason };
    recorded[step.id] = result;
    await recordStepResult(deps, ref(step), result);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** RemoteError and friends carry `retryable`; anything unknown is worth another try. */
function asLifecycleError(error: unknown): LifecycleError {
  if (error instanceof LifecycleError) return error;
  const flagged = (error as { retryable?: unknown } | null)?.retryable;
  return new LifecycleError("host-run-failed", describe(error), flagged !== false);
}
