import { diagnoseFleet, primaryCause } from "../domain/diagnosis";
import { BOT } from "../domain/incident";
import { runIdFor, type IncidentRun } from "../domain/incident-run";
import type { Cause } from "../domain/cause";
import type { HostReport } from "../domain/step-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { hostWasReachable } from "./run-playbook";
import { requestApproval } from "./request-approval";

/**
 * Called by the job that finished the run's last host (or by a retry of it): one diagnosis for the
 * fleet, the run's end, and an approval request per remediation step. Every write is keyed by the
 * run, so a repeat of this call adds nothing.
 */
export async function concludeRun(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  const reports = await deps.runs.hostReports(run.runId);
  const diagnosis = diagnoseFleet(
    reports.map((r) => ({ host: r.host, reachable: hostWasReachable(r), findings: r.findings })),
  );
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
      evidence: evidenceOf(reports),
    },
  });
  if (first && run.runId === runIdFor(run.incidentId, "immediate", 0)) {
    const incident = await deps.incidents.get(run.incidentId);
    if (incident) deps.metrics?.firstDiagnosis((deps.clock.now() - incident.declaredAt) / 1000);
  }
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

function perHostCause(reports: HostReport[]): Record<string, Cause> {
  const out: Record<string, Cause> = {};
  for (const r of reports) {
    // The diagnosis orders a host's findings (traffic cause first); confidence alone would let a
    // broken config on disk outrank a refused upstream seen in the log.
    out[r.host] = primaryCause(r.findings);
  }
  return out;
}

/** Evidence kept on the timeline per host: enough lines to show why, short enough to store. */
const EVIDENCE_LINES_PER_HOST = 8;
const EVIDENCE_LINE_CHARS = 500;

function evidenceOf(reports: HostReport[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of reports) {
    const lines = r.findings
      .filter((f) => f.cause !== "healthy")
      .flatMap((f) => f.evidence)
      .slice(0, EVIDENCE_LINES_PER_HOST)
      .map((line) => line.slice(0, EVIDENCE_LINE_CHARS));
    if (lines.length > 0) out[r.host] = lines;
  }
  return out;
}
