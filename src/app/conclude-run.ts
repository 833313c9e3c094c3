import { primaryCause } from "../domain/diagnosis";
import { BOT } from "../domain/incident";
import type { IncidentRun } from "../domain/incident-run";
import { hostWasReachable } from "../domain/step-result";
import { refinementOf } from "../domain/triage";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import {
  fleetDiagnosis,
  observeFirstDiagnosis,
  perHostCause,
  triageDiagnosisKey,
} from "./record-triage";
import { requestApproval } from "./request-approval";

/**
 * Called by the job that finished the run's last host (or by a retry of it): one diagnosis for the
 * fleet, the run's end, and an approval request per remediation step. Every write is keyed by the
 * run, so a repeat of this call adds nothing.
 */
export async function concludeRun(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  const reports = await deps.runs.hostReports(run.runId);
  const diagnosis = fleetDiagnosis(reports);
  const triage = await deps.timeline.getByKey(run.incidentId, triageDiagnosisKey(run.runId));
  const refinement =
    triage?.type === "diagnosis" ? refinementOf(triage.details.diagnosis, diagnosis) : undefined;
  const first = await recordEvent(deps, run.incidentId, {
    type: "diagnosis",
    key: `diagnosis:${run.runId}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Diagnosis: ${diagnosis.cause} on ${diagnosis.hosts.join(", ") || "no host"}`,
    details: {
      runId: run.runId,
      diagnosis,
      perHost: perHostCause(reports),
      stage: "final",
      ...(refinement ? { refinement } : {}),
    },
  });
  // With a triage stage, the first diagnosis was the triage one (record-triage observed it).
  if (first && !triage) await observeFirstDiagnosis(deps, run);
  await recordEvent(deps, run.incidentId, {
    type: "playbook-finished",
    key: `playbook-finished:${run.runId}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Playbook ${run.playbook} (${run.phase}) finished`,
    details: { runId: run.runId, playbook: run.playbook, phase: run.phase },
  });
  if (diagnosis.cause === "healthy") return;
  // Remediation is offered only where something is wrong and the host answered: reloading a
  // healthy proxy is risk without benefit, and an unreachable one cannot run it anyway.
  const affected = reports
    .filter((r) => hostWasReachable(r) && primaryCause(r.findings) !== "healthy")
    .map((r) => r.host);
  if (affected.length === 0) return;
  const playbook = await deps.runner.getPlaybook(run.playbook);
  for (const step of playbook?.phases[run.phase] ?? []) {
    if (step.kind !== "remediation") continue;
    await requestApproval(deps, {
      runId: run.runId,
      stepId: step.id,
      requestedBy: run.requestedBy,
      hosts: affected,
      reports,
    });
  }
}
