import { diagnoseFleet, primaryCause } from "../domain/diagnosis";
import type { Cause } from "../domain/cause";
import { BOT } from "../domain/incident";
import { runIdFor, type IncidentRun } from "../domain/incident-run";
import { playbookKind, type Playbook } from "../domain/playbook";
import type { ProxyKindName } from "../domain/proxies/registry";
import type { ServiceManager } from "../domain/service-manager";
import { hostWasReachable, type Diagnosis, type HostReport } from "../domain/step-result";
import { triageOrder } from "../domain/triage";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";

/**
 * A host's triage steps are in: its triage report is stored, and the call that completes the
 * group's set (every host of every run started with this one, one run per proxy kind) writes
 * the triage diagnosis, announced while the deeper steps still run. A run whose playbook marks no
 * triage step counts with its final reports, so the first answer still covers every host. Keyed
 * by the group, so a retried job (which reports its recorded triage again) adds nothing.
 * Approvals wait for the final diagnosis: a remediation is offered on what every step showed,
 * not on a first answer the deeper steps may still change.
 */
export async function recordHostTriage(
  deps: LifecycleDeps,
  run: IncidentRun,
  report: HostReport,
): Promise<void> {
  const { triaged, total } = await deps.runs.recordTriage(run.runId, report);
  if (triaged >= total) await diagnoseTriageOnceIn(deps, run);
}

/**
 * Writes the group's triage diagnosis if every host's triage (or, for a run without triage
 * steps, its final report) is in; concludeRun asks too when a run without triage finishes last.
 */
export async function diagnoseTriageOnceIn(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  const group = await triagedGroup(deps, run);
  if (!group) return;
  const diagnosis = groupDiagnosis(group);
  const groupId = groupIdOf(run);
  const reports = group.flatMap((member) => member.reports);
  const first = await recordEvent(deps, run.incidentId, {
    type: "diagnosis",
    key: triageDiagnosisKey(groupId),
    at: deps.clock.now(),
    actor: BOT,
    summary: `Triage diagnosis: ${diagnosis.cause} on ${diagnosis.hosts.join(", ") || "no host"}`,
    details: {
      runId: groupId,
      diagnosis,
      perHost: perHostCause(reports),
      evidence: evidenceOf(reports),
      stage: "triage",
    },
  });
  if (first) await observeFirstDiagnosis(deps, run);
}

/**
 * Resolves once the group's triage diagnosis is written, or after `maxMs`: a host whose triage is
 * in holds its deeper steps until then, so on a fleet (or a bot) with little CPU to spare the
 * other hosts' triage, and the first answer, are not slowed by them. A host still retrying or
 * unreachable cannot hold the others past `maxMs`. Polls the timeline, backing off to 200 ms.
 */
export async function groupTriageIn(
  deps: LifecycleDeps,
  run: IncidentRun,
  maxMs: number,
): Promise<void> {
  const key = triageDiagnosisKey(groupIdOf(run));
  // Real time, not the incident clock: this is a wait, not a schedule.
  const deadline = performance.now() + maxMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 200)) {
    if (await deps.timeline.has(run.incidentId, key)) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    await new Promise((done) => setTimeout(done, Math.min(pause, left)));
  }
}

/** The runs of a phase started together share one diagnosis, keyed by the first of them. */
export function groupIdOf(run: IncidentRun): string {
  return run.siblings?.[0] ?? run.runId;
}

export function triageDiagnosisKey(groupId: string): string {
  return `diagnosis-triage:${groupId}`;
}

export interface GroupMember {
  run: IncidentRun;
  /** The run's playbook, read once for the group (null if it is gone from the catalog). */
  playbook: Playbook | null;
  kind: ProxyKindName | undefined;
  /** The upstream service a service run checked, and its manager. */
  service?: { name: string; manager: ServiceManager };
  reports: HostReport[];
}

/** A run of the group with its reports, its proxy kind and, for a service run, its service. */
export function groupMember(
  run: IncidentRun,
  playbook: Playbook | null,
  reports: HostReport[],
): GroupMember {
  const kind = playbook ? playbookKind(playbook) : undefined;
  const manager = playbook?.service;
  const service = run.service && manager ? { name: run.service, manager } : undefined;
  return { run, playbook, kind, reports, ...(service ? { service } : {}) };
}

/**
 * Every run of `run`'s group (one per proxy kind and service) with the reports `reportsOf` reads
 * for it, or null while one of them still has hosts to report.
 */
export async function collectGroup(
  deps: LifecycleDeps,
  run: IncidentRun,
  reportsOf: (member: IncidentRun, playbook: Playbook | null) => Promise<HostReport[]>,
): Promise<GroupMember[] | null> {
  const group: GroupMember[] = [];
  for (const runId of run.siblings ?? [run.runId]) {
    const member = runId === run.runId ? run : await deps.runs.getRun(runId);
    if (!member) continue;
    const playbook = await deps.runner.getPlaybook(member.playbook);
    const reports = await reportsOf(member, playbook);
    if (reports.length < member.hosts.length) return null;
    group.push(groupMember(member, playbook, reports));
  }
  return group;
}

/** Each run's triage reports (final ones for a run without triage), or null while one is short. */
async function triagedGroup(deps: LifecycleDeps, run: IncidentRun): Promise<GroupMember[] | null> {
  return collectGroup(deps, run, (member, playbook) => {
    const hasTriage = triageOrder(playbook?.phases[member.phase] ?? []).triage.length > 0;
    return hasTriage ? deps.runs.triageReports(member.runId) : deps.runs.hostReports(member.runId);
  });
}

export function groupDiagnosis(group: readonly GroupMember[]): Diagnosis {
  return diagnoseFleet(
    group.flatMap(({ reports, kind, service }) =>
      reports.map((r) => ({
        host: r.host,
        kind,
        ...(service ? { service } : {}),
        reachable: hostWasReachable(r),
        findings: r.findings,
      })),
    ),
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

/** Evidence kept on the timeline per host: enough lines to show why, short enough to store. */
const EVIDENCE_LINES_PER_HOST = 8;
const EVIDENCE_LINE_CHARS = 500;

export function evidenceOf(reports: readonly HostReport[]): Record<string, string[]> {
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

/** Time from declaration to the incident's first diagnosis (its first immediate run's). */
export async function observeFirstDiagnosis(deps: LifecycleDeps, run: IncidentRun): Promise<void> {
  if (!groupIdOf(run).startsWith(runIdFor(run.incidentId, "immediate", 0))) return;
  const incident = await deps.incidents.get(run.incidentId);
  if (incident) deps.metrics?.firstDiagnosis((deps.clock.now() - incident.declaredAt) / 1000);
}
