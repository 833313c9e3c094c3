import { diagnoseFleet, primaryCause } from "../domain/diagnosis";
import type { Cause } from "../domain/cause";
import { BOT } from "../domain/incident";
import { runIdFor, type IncidentRun } from "../domain/incident-run";
import { hostWasReachable, type Diagnosis, type HostReport } from "../domain/step-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";

/**
 * A host's triage steps are in: its triage report is stored, and the call that completes the set
 * of hosts writes the run's triage diagnosis, which is announced while the deeper steps still run.
 * Keyed by the run, so a retried job (which reports its recorded triage again) adds nothing.
 * Approvals wait for the final diagnosis: a remediation is offered on what every step showed,
 * not on a first answer the deeper steps may still change.
 */
export async function recordHostTriage(
  deps: LifecycleDeps,
  run: IncidentRun,
  report: HostReport,
): Promise<void> {
  const { triaged, total } = await deps.runs.recordTriage(run.runId, report);
  if (triaged < total) return;
  const reports = await deps.runs.triageReports(run.runId);
  const diagnosis = fleetDiagnosis(reports);
  const first = await recordEvent(deps, run.incidentId, {
    type: "diagnosis",
    key: triageDiagnosisKey(run.runId),
    at: deps.clock.now(),
    actor: BOT,
    summary: `Triage diagnosis: ${diagnosis.cause} on ${diagnosis.hosts.join(", ") || "no host"}`,
    details: { runId: run.runId, diagnosis, perHost: perHostCause(reports), stage: "triage" },
  });
  if (first) await observeFirstDiagnosis(deps, run);
}

export function triageDiagnosisKey(runId: string): string {
  return `diagnosis-triage:${runId}`;
}

export function fleetDiagnosis(reports: readonly HostReport[]): Diagnosis {
  return diagnoseFleet(
    reports.map((r) => ({ host: r.host, reachable: hostWasReachable(r), findings: r.findings })),
  );
}

export function perHostCause(reports: readonly HostReport[]): Record<string, Cause> {
  const out: Record<string, Cause> = {};
  for (const r of reports) {
    // The diagnosis orders a host's findings (traffic cause first); confidence alone would let a
    // broken config on disk outrank a refused upstream seen in the log.
    out[r.host] = primaryCause(r.findings);
  }
  return out;
}

/** Time from declaration to the incident's first diagnosis (its first immediate run's). */
export async function observeFirstDiagnosis(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  if (run.runId !== runIdFor(run.incidentId, "immediate", 0)) return;
  const incident = await deps.incidents.get(run.incidentId);
  if (incident) deps.metrics?.firstDiagnosis((deps.clock.now() - incident.declaredAt) / 1000);
}
