import { requestsPerMinute, type MinuteCount } from "../domain/access-log-status";
import { BOT } from "../domain/incident";
import { readsAccessLog } from "../domain/proxies/registry";
import type { StepResult } from "../domain/step-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { requestCardRefresh, stepResultIsPosted } from "./announce-event";
import { recordEvent } from "./record-event";

export interface StepRef {
  incidentId: string;
  runId: string;
  host: string;
  stepId: string;
  title: string;
  /** The step's `parse:` name, when it has one. */
  parser?: string;
}

const stepKey = (kind: string, s: StepRef): string => `${kind}:${s.runId}:${s.host}:${s.stepId}`;

/**
 * A step start only changes the card, so it is announced by the (coalesced) card refresh rather
 * than by an announce job of its own: half the jobs per step.
 */
export async function recordStepStarted(deps: LifecycleDeps, step: StepRef): Promise<void> {
  const now = deps.clock.now();
  await deps.timeline.append(step.incidentId, {
    type: "step-started",
    key: stepKey("step-started", step),
    at: now,
    actor: BOT,
    summary: `Step ${step.stepId} started on ${step.host}`,
    details: { runId: step.runId, host: step.host, stepId: step.stepId, title: step.title },
  });
  await requestCardRefresh(deps, step.incidentId, now);
}

/**
 * Records the result where a retried job finds it (so the step is skipped) and as a timeline
 * event; both writes are idempotent, so recording the same result twice changes nothing.
 */
export async function recordStepResult(
  deps: LifecycleDeps,
  step: StepRef,
  result: StepResult,
): Promise<void> {
  await deps.runs.recordStepResult(step.runId, step.host, result);
  const event = {
    type: "step-finished",
    key: stepKey("step-finished", step),
    at: deps.clock.now(),
    actor: BOT,
    summary: `Step ${step.stepId} on ${step.host}: ${result.status}${result.reason ? ` (${result.reason})` : ""}`,
    details: {
      runId: step.runId,
      host: step.host,
      stepId: step.stepId,
      title: step.title,
      status: result.status,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      output: result.output,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(readsAccessLog(step.parser) ? trafficOf(result.output) : {}),
    },
  } as const;
  if (stepResultIsPosted(result.status)) {
    await recordEvent(deps, step.incidentId, event);
    return;
  }
  // A step that went fine only changes the card (its output follows the diagnosis), so it needs
  // no announce job of its own, as a start needs none: at 30 hosts × 15 steps those jobs kept
  // the worker from the hosts' results.
  await deps.timeline.append(step.incidentId, event);
  await requestCardRefresh(deps, step.incidentId, event.at);
}

/**
 * The request counts an access-log output shows, kept as facts beside the output; only for the
 * steps that read client traffic, so the other steps' outputs are not scanned on the worker.
 */
function trafficOf(output: string): { requestsPerMinute?: MinuteCount[] } {
  const counts = requestsPerMinute(output);
  return counts.length > 0 ? { requestsPerMinute: counts } : {};
}
