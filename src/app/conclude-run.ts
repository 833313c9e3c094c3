import { primaryCause } from "../domain/diagnosis";
import { BOT } from "../domain/incident";
import type { IncidentRun } from "../domain/incident-run";
import { playbookKind } from "../domain/playbook";
import { hostWasReachable, type Diagnosis, type HostReport } from "../domain/step-result";
import { refinementOf } from "../domain/triage";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import {
  diagnoseTriageOnceIn,
  evidenceOf,
  groupDiagnosis,
  groupIdOf,
  observeFirstDiagnosis,
  perHostCause,
  triageDiagnosisKey,
  type GroupMember,
} from "./record-triage";
import { requestApproval } from "./request-approval";

/**
 * Called by the job that finished the run's last host (or by a retry of it): the run's end, then,
 * once every run started with it (one per proxy kind of a mixed fleet) is in as well, one
 * diagnosis over all their hosts and an approval request per remediation step of each run. Every
 * write is keyed by the run or its group, so a repeat of this call, or two runs of the group
 * finishing at once, add nothing twice.
 */
export async function concludeRun(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  const group = await finishedGroup(deps, run);
  // A sibling run without triage steps that ends before the others' triage is in: the triage
  // diagnosis may be complete now (it is pointless once the whole group is finished).
  if (!group) await diagnoseTriageOnceIn(deps, run);
  const diagnosis = group ? await diagnoseGroup(deps, run, group) : null;
  await recordEvent(deps, run.incidentId, {
    type: "playbook-finished",
    key: `playbook-finished:${run.runId}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Playbook ${run.playbook} (${run.phase}) finished`,
    details: { runId: run.runId, playbook: run.playbook, phase: run.phase },
  });
  if (!group || !diagnosis || diagnosis.cause === "healthy") return;
  for (const member of group) await requestRemediations(deps, member.run, member.reports);
}

/**
 * One diagnosis for the whole group, keyed by its first run (the only one when it ran alone); after
 * a triage diagnosis it says what the deeper steps changed.
 */
async function diagnoseGroup(
  deps: LifecycleDeps,
  run: IncidentRun,
  group: readonly GroupMember[],
): Promise<Diagnosis> {
  const reports = group.flatMap((member) => member.reports);
  const diagnosis = groupDiagnosis(group);
  const groupId = groupIdOf(run);
  const triage = await deps.timeline.getByKey(run.incidentId, triageDiagnosisKey(groupId));
  const refinement =
    triage?.type === "diagnosis" ? refinementOf(triage.details.diagnosis, diagnosis) : undefined;
  const first = await recordEvent(deps, run.incidentId, {
    type: "diagnosis",
    key: `diagnosis:${groupId}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Diagnosis: ${diagnosis.cause} on ${diagnosis.hosts.join(", ") || "no host"}`,
    details: {
      runId: groupId,
      diagnosis,
      perHost: perHostCause(reports),
      evidence: evidenceOf(reports),
      stage: "final",
      ...(refinement ? { refinement } : {}),
    },
  });
  // With a triage stage, the first diagnosis was the triage one (record-triage observed it).
  if (first && !triage) await observeFirstDiagnosis(deps, run);
  return diagnosis;
}

/** Every run of the group with its reports, or null while one of them still has hosts running. */
async function finishedGroup(deps: LifecycleDeps, run: IncidentRun): Promise<GroupMember[] | null> {
  const group: GroupMember[] = [];
  for (const runId of run.siblings ?? [run.runId]) {
    const member = runId === run.runId ? run : await deps.runs.getRun(runId);
    if (!member) continue;
    const reports = await deps.runs.hostReports(runId);
    if (reports.length < member.hosts.length) return null;
    const playbook = await deps.runner.getPlaybook(member.playbook);
    group.push({ run: member, kind: playbook ? playbookKind(playbook) : undefined, reports });
  }
  return group;
}

/**
 * Remediation is offered only where something is wrong and the host answered: reloading a healthy
 * proxy is risk without benefit, and an unreachable one cannot run it anyway.
 */
async function requestRemediations(
  deps: LifecycleDeps,
  run: IncidentRun,
  reports: HostReport[],
): Promise<void> {
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
