import { primaryCause } from "../domain/diagnosis";
import { BOT } from "../domain/incident";
import type { IncidentRun } from "../domain/incident-run";
import { remediationsToOffer } from "../domain/remediation-choice";
import { hostWasReachable, type Diagnosis } from "../domain/step-result";
import { refinementOf } from "../domain/triage";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import {
  diagnoseTriageOnceIn,
  evidenceOf,
  groupDiagnosis,
  groupIdOf,
  collectGroup,
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
  const restartOffered = servicesToRestart(group);
  for (const member of group) await requestRemediations(deps, member, restartOffered);
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
function finishedGroup(deps: LifecycleDeps, run: IncidentRun): Promise<GroupMember[] | null> {
  return collectGroup(deps, run, (member) => deps.runs.hostReports(member.runId));
}

/**
 * Remediation is offered only where something is wrong and the host answered: reloading a healthy
 * proxy is risk without benefit, and an unreachable one cannot run it anyway. Each step goes to the
 * hosts whose cause it helps with (`offerFor`); a refused upstream whose service gets a restart
 * gets no proxy reload (see domain/remediation-choice.ts).
 */
async function requestRemediations(
  deps: LifecycleDeps,
  { run, playbook, reports }: GroupMember,
  restartOffered: ReadonlySet<string>,
): Promise<void> {
  const reached = reports.filter((r) => hostWasReachable(r));
  if (reached.length === 0) return;
  const resolved = run.service ? [] : await deps.runner.resolveHosts(reached.map((r) => r.host));
  const hosts = reached.map((r) => {
    const upstreamService = resolved.find((h) => h.name === r.host)?.upstreamService;
    return {
      host: r.host,
      cause: primaryCause(r.findings),
      ...(upstreamService ? { upstreamService } : {}),
    };
  });
  const offers = remediationsToOffer(playbook?.phases[run.phase] ?? [], hosts, restartOffered);
  for (const offer of offers) {
    await requestApproval(deps, {
      runId: run.runId,
      stepId: offer.step.id,
      requestedBy: run.requestedBy,
      hosts: offer.hosts,
      reports,
    });
  }
}

/** The services of the group whose own run found them down and offers a remediation for it. */
function servicesToRestart(group: readonly GroupMember[]): Set<string> {
  const offered = new Set<string>();
  for (const { run, playbook, reports } of group) {
    if (!run.service) continue;
    const hosts = reports
      .filter((r) => hostWasReachable(r))
      .map((r) => ({ host: r.host, cause: primaryCause(r.findings) }));
    const offers = remediationsToOffer(playbook?.phases[run.phase] ?? [], hosts, new Set());
    if (offers.length > 0) offered.add(run.service);
  }
  return offered;
}
