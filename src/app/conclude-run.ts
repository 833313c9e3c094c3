import { diagnoseFleet } from "../domain/diagnosis";
import { BOT } from "../domain/incident";
import type { IncidentRun } from "../domain/incident-run";
import type { Cause } from "../domain/cause";
import type { HostReport } from "../domain/step-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { requestApproval } from "./request-approval";

/**
 * Called by the job that finished the run's last host (or by a retry of it): one diagnosis for the
 * fleet, the run's end, and an approval request per remediation step. Every write is keyed by the
 * run, so a repeat of this call adds nothing.
 */
export async function concludeRun(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  const reports = await deps.runs.hostReports(run.runId);
  const diagnosis = diagnoseFleet(
    reports.map((r) => ({ host: r.host, reachable: reachable(r), findings: r.findings })),
  );
  await recordEvent(deps, run.incidentId, {
    type: "diagnosis",
    key: `diagnosis:${run.runId}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Diagnosis: ${diagnosis.cause} on ${diagnosis.hosts.join(", ") || "no host"}`,
    details: { runId: run.runId, diagnosis, perHost: perHostCause(reports) },
  });
  await recordEvent(deps, run.incidentId, {
    type: "playbook-finished",
    key: `playbook-finished:${run.runId}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Playbook ${run.playbook} (${run.phase}) finished`,
    details: { runId: run.runId, playbook: run.playbook, phase: run.phase },
  });
  if (diagnosis.cause === "healthy") return;
  const playbook = await deps.runner.getPlaybook(run.playbook);
  for (const step of playbook?.phases[run.phase] ?? []) {
    if (step.kind !== "remediation") continue;
    await requestApproval(deps, {
      runId: run.runId,
      stepId: step.id,
      requestedBy: run.requestedBy,
    });
  }
}

function reachable(report: HostReport): boolean {
  return report.steps.length === 0 || report.steps.some((s) => s.status !== "error");
}

function perHostCause(reports: HostReport[]): Record<string, Cause> {
  const out: Record<string, Cause> = {};
  for (const r of reports) {
    const best = [...r.findings].sort((a, b) => b.confidence - a.confidence)[0];
    out[r.host] = best?.cause ?? "unknown";
  }
  return out;
}
