import { diagnoseFleet, primaryCause } from "../domain/diagnosis";
import { BOT } from "../domain/incident";
import { runIdFor, type IncidentRun } from "../domain/incident-run";
import type { Cause } from "../domain/cause";
import { playbookKind } from "../domain/playbook";
import type { ProxyKindName } from "../domain/proxies/registry";
import type { ServiceManager } from "../domain/service-manager";
import { hostWasReachable, type Diagnosis, type HostReport } from "../domain/step-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { remediationsToOffer } from "../domain/remediation-choice";
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
  const restartOffered = await servicesToRestart(deps, group);
  for (const member of group) {
    await requestRemediations(deps, member.run, member.reports, restartOffered);
  }
}

/** One diagnosis for the whole group, keyed by its first run (the only one when it ran alone). */
async function diagnoseGroup(
  deps: LifecycleDeps,
  run: IncidentRun,
  group: readonly FinishedRun[],
): Promise<Diagnosis> {
  const reports = group.flatMap((member) => member.reports);
  const diagnosis = diagnoseFleet(
    group.flatMap(({ reports: own, kind, service }) =>
      own.map((r) => ({
        host: r.host,
        kind,
        ...(service ? { service } : {}),
        reachable: hostWasReachable(r),
        findings: r.findings,
      })),
    ),
  );
  const groupId = run.siblings?.[0] ?? run.runId;
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
    },
  });
  if (first && groupId.startsWith(runIdFor(run.incidentId, "immediate", 0))) {
    const incident = await deps.incidents.get(run.incidentId);
    if (incident) deps.metrics?.firstDiagnosis((deps.clock.now() - incident.declaredAt) / 1000);
  }
  return diagnosis;
}

interface FinishedRun {
  run: IncidentRun;
  kind: ProxyKindName | undefined;
  /** The upstream service a service run checked, and its manager. */
  service?: { name: string; manager: ServiceManager };
  reports: HostReport[];
}

/** Every run of the group with its reports, or null while one of them still has hosts running. */
async function finishedGroup(deps: LifecycleDeps, run: IncidentRun): Promise<FinishedRun[] | null> {
  const group: FinishedRun[] = [];
  for (const runId of run.siblings ?? [run.runId]) {
    const member = runId === run.runId ? run : await deps.runs.getRun(runId);
    if (!member) continue;
    const reports = await deps.runs.hostReports(runId);
    if (reports.length < member.hosts.length) return null;
    const playbook = await deps.runner.getPlaybook(member.playbook);
    const kind = playbook ? playbookKind(playbook) : undefined;
    const manager = playbook?.service;
    const service = member.service && manager ? { name: member.service, manager } : undefined;
    group.push({ run: member, kind, reports, ...(service ? { service } : {}) });
  }
  return group;
}

/**
 * Remediation is offered only where something is wrong and the host answered: reloading a healthy
 * proxy is risk without benefit, and an unreachable one cannot run it anyway. Each step goes to the
 * hosts whose cause it helps with (`offerFor`); a refused upstream whose service gets a restart
 * gets no proxy reload (see domain/remediation-choice.ts).
 */
async function requestRemediations(
  deps: LifecycleDeps,
  run: IncidentRun,
  reports: HostReport[],
  restartOffered: ReadonlySet<string>,
): Promise<void> {
  const reached = reports.filter((r) => hostWasReachable(r));
  if (reached.length === 0) return;
  const playbook = await deps.runner.getPlaybook(run.playbook);
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
async function servicesToRestart(
  deps: LifecycleDeps,
  group: readonly FinishedRun[],
): Promise<Set<string>> {
  const offered = new Set<string>();
  for (const { run, reports } of group) {
    if (!run.service) continue;
    const playbook = await deps.runner.getPlaybook(run.playbook);
    const hosts = reports
      .filter((r) => hostWasReachable(r))
      .map((r) => ({ host: r.host, cause: primaryCause(r.findings) }));
    const offers = remediationsToOffer(playbook?.phases[run.phase] ?? [], hosts, new Set());
    if (offers.length > 0) offered.add(run.service);
  }
  return offered;
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
