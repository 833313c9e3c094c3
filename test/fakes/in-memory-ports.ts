import type { Approval, ApprovalDecision, ApprovalGrant } from "../../src/domain/approval";
import type { Incident } from "../../src/domain/incident";
import type { IncidentRun } from "../../src/domain/incident-run";
import type { HostReport, StepResult } from "../../src/domain/step-result";
import type { TimelineEvent } from "../../src/domain/timeline";
import type { ApprovalStore, RemediationOutcome } from "../../src/ports/approval-store";
import type { DeliveryLog } from "../../src/ports/delivery-log";
import type { IncidentStore } from "../../src/ports/incident-store";
import type {
  DeclareJob,
  AnnounceJob,
  CardRefreshJob,
  ClockJob,
  HostRunJob,
  JobQueue,
  RemediationJob,
} from "../../src/ports/job-queue";
import type { RunStore } from "../../src/ports/run-store";
import type { TimelineStore } from "../../src/ports/timeline-store";

/** In-memory versions of the lifecycle's ports, for unit tests of the use cases. */
export class InMemoryIncidentStore implements IncidentStore {
  readonly byId = new Map<string, Incident>();

  async create(incident: Incident): Promise<boolean> {
    if (this.byId.has(incident.id)) return false;
    this.byId.set(incident.id, { ...incident, version: incident.version ?? 0 });
    return true;
  }
  async get(id: string): Promise<Incident | null> {
    return this.byId.get(id) ?? null;
  }
  async findByChannel(channel: string): Promise<Incident | null> {
    return [...this.byId.values()].find((i) => i.channel === channel) ?? null;
  }
  async update(id: string, change: (c: Incident) => Incident | null): Promise<Incident | null> {
    const current = this.byId.get(id);
    if (!current) return null;
    const next = change(current);
    if (!next) return current;
    const stored = { ...next, version: (current.version ?? 0) + 1 };
    this.byId.set(id, stored);
    return stored;
  }
  async countOpen(): Promise<number> {
    return [...this.byId.values()].filter((i) => i.state !== "resolved").length;
  }
  async list(filter: { openOnly: boolean; limit: number }): Promise<Incident[]> {
    return [...this.byId.values()]
      .filter((i) => !filter.openOnly || i.state !== "resolved")
      .sort((a, b) => b.declaredAt - a.declaredAt)
      .slice(0, filter.limit);
  }
}

export class InMemoryTimelineStore implements TimelineStore {
  readonly events = new Map<string, TimelineEvent[]>();

  async append(incidentId: string, event: TimelineEvent): Promise<{ appended: boolean }> {
    const list = this.events.get(incidentId) ?? [];
    if (list.some((e) => e.key === event.key)) return { appended: false };
    list.push(event);
    this.events.set(incidentId, list);
    return { appended: true };
  }
  async read(incidentId: string): Promise<TimelineEvent[]> {
    return [...(this.events.get(incidentId) ?? [])];
  }
  async getByKey(incidentId: string, key: string): Promise<TimelineEvent | null> {
    return this.events.get(incidentId)?.find((e) => e.key === key) ?? null;
  }
  async has(incidentId: string, key: string): Promise<boolean> {
    return (await this.getByKey(incidentId, key)) !== null;
  }
}

export class InMemoryDeliveryLog implements DeliveryLog {
  readonly sent = new Set<string>();
  async wasSent(incidentId: string, part: string): Promise<boolean> {
    return this.sent.has(`${incidentId} ${part}`);
  }
  async markSent(incidentId: string, part: string): Promise<void> {
    this.sent.add(`${incidentId} ${part}`);
  }
}

export class InMemoryRunStore implements RunStore {
  readonly runs = new Map<string, IncidentRun>();
  readonly steps = new Map<string, Record<string, StepResult>>();
  readonly reports = new Map<string, Map<string, HostReport>>();
  private readonly counters = new Map<string, number>();

  async createRun(run: IncidentRun): Promise<boolean> {
    if (this.runs.has(run.runId)) return false;
    this.runs.set(run.runId, run);
    return true;
  }
  async getRun(runId: string): Promise<IncidentRun | null> {
    return this.runs.get(runId) ?? null;
  }
  async nextRunNumber(incidentId: string): Promise<number> {
    const n = (this.counters.get(incidentId) ?? 0) + 1;
    this.counters.set(incidentId, n);
    return n;
  }
  async recordStepResult(runId: string, host: string, result: StepResult): Promise<void> {
    const key = `${runId}/${host}`;
    this.steps.set(key, { ...(this.steps.get(key) ?? {}), [result.id]: result });
  }
  async stepResults(runId: string, host: string): Promise<Record<string, StepResult>> {
    return { ...(this.steps.get(`${runId}/${host}`) ?? {}) };
  }
  async finishHost(
    runId: string,
    report: HostReport,
  ): Promise<{ finished: number; total: number }> {
    const reports = this.reports.get(runId) ?? new Map<string, HostReport>();
    reports.set(report.host, report);
    this.reports.set(runId, reports);
    return { finished: reports.size, total: this.runs.get(runId)?.hosts.length ?? 0 };
  }
  async hostReports(runId: string): Promise<HostReport[]> {
    return [...(this.reports.get(runId)?.values() ?? [])];
  }
  readonly triage = new Map<string, Map<string, HostReport>>();
  async recordTriage(
    runId: string,
    report: HostReport,
  ): Promise<{ triaged: number; total: number }> {
    const reports = this.triage.get(runId) ?? new Map<string, HostReport>();
    reports.set(report.host, report);
    this.triage.set(runId, reports);
    return { triaged: reports.size, total: this.runs.get(runId)?.hosts.length ?? 0 };
  }
  async triageReports(runId: string): Promise<HostReport[]> {
    return [...(this.triage.get(runId)?.values() ?? [])];
  }
}

export class InMemoryApprovalStore implements ApprovalStore {
  readonly approvals = new Map<string, Approval>();
  readonly decisions = new Map<string, ApprovalDecision>();
  readonly claims = new Set<string>();
  readonly outcomes = new Map<string, RemediationOutcome>();
  readonly cards = new Map<string, string>();
  readonly grants = new Map<string, ApprovalGrant[]>();
  readonly hostLocks = new Map<string, string>();

  async create(approval: Approval): Promise<boolean> {
    if (this.approvals.has(approval.id)) return false;
    this.approvals.set(approval.id, approval);
    return true;
  }
  async get(id: string) {
    const approval = this.approvals.get(id);
    if (!approval) return null;
    return {
      approval,
      decision: this.decisions.get(id) ?? null,
      grants: [...(this.grants.get(id) ?? [])],
    };
  }
  async grant(approval: Approval, grant: ApprovalGrant) {
    const grants = this.grants.get(approval.id) ?? [];
    const decided = this.decisions.get(approval.id) ?? null;
    if (decided || grants.some((g) => g.by === grant.by)) {
      return { recorded: false, grants: [...grants], decision: decided };
    }
    grants.push(grant);
    this.grants.set(approval.id, grants);
    if (grants.length >= approval.required) {
      this.decisions.set(approval.id, { state: "approved", by: grant.by, at: grant.at });
    }
    return {
      recorded: true,
      grants: [...grants],
      decision: this.decisions.get(approval.id) ?? null,
    };
  }
  async lockHost(host: string, token: string): Promise<boolean> {
    if (this.hostLocks.has(host)) return false;
    this.hostLocks.set(host, token);
    return true;
  }
  async hostLockHolder(host: string): Promise<string | null> {
    return this.hostLocks.get(host) ?? null;
  }
  async unlockHost(host: string, token: string): Promise<void> {
    if (this.hostLocks.get(host) === token) this.hostLocks.delete(host);
  }
  async listForIncident(incidentId: string): Promise<Approval[]> {
    return [...this.approvals.values()].filter((a) => a.incidentId === incidentId);
  }
  async decide(id: string, decision: ApprovalDecision) {
    const existing = this.decisions.get(id);
    if (existing) return { recorded: false, decision: existing };
    this.decisions.set(id, decision);
    return { recorded: true, decision };
  }
  async claimRemediation(approvalId: string, host: string): Promise<boolean> {
    const key = `${approvalId}/${host}`;
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }
  async recordRemediation(approvalId: string, outcome: RemediationOutcome): Promise<boolean> {
    const key = `${approvalId}/${outcome.host}`;
    if (this.outcomes.has(key)) return false;
    this.outcomes.set(key, outcome);
    return true;
  }
  async remediationOutcome(approvalId: string, host: string) {
    return this.outcomes.get(`${approvalId}/${host}`) ?? null;
  }
  async setCardRef(approvalId: string, ref: string): Promise<void> {
    this.cards.set(approvalId, ref);
  }
  async cardRef(approvalId: string): Promise<string | null> {
    return this.cards.get(approvalId) ?? null;
  }
}

/** Records what was enqueued; tests run the jobs by hand (or drain them with a driver). */
export class RecordingJobQueue implements JobQueue {
  readonly hostRuns: HostRunJob[] = [];
  readonly remediations: RemediationJob[] = [];
  readonly scheduled: ClockJob[] = [];
  readonly cancelled: string[] = [];
  readonly cancelledExpiries: string[] = [];
  readonly announcements: AnnounceJob[] = [];
  readonly cardRefreshes: CardRefreshJob[] = [];

  readonly declares: DeclareJob[] = [];

  async enqueueDeclare(job: DeclareJob): Promise<void> {
    if (!this.declares.some((j) => j.incidentId === job.incidentId)) this.declares.push(job);
  }

  async enqueueHostRun(job: HostRunJob): Promise<void> {
    if (!this.hostRuns.some((j) => j.runId === job.runId && j.host === job.host)) {
      this.hostRuns.push(job);
    }
  }
  async enqueueRemediation(job: RemediationJob): Promise<void> {
    if (!this.remediations.some((j) => j.approvalId === job.approvalId && j.host === job.host)) {
      this.remediations.push(job);
    }
  }
  async schedule(job: ClockJob): Promise<void> {
    this.scheduled.push(job);
  }
  async cancelClockEntries(incidentId: string, names: readonly string[]): Promise<void> {
    this.cancelled.push(...names.map((n) => `${incidentId}/${n}`));
  }
  async cancelApprovalExpiry(approvalId: string): Promise<void> {
    this.cancelledExpiries.push(approvalId);
  }
  async refreshCard(job: CardRefreshJob): Promise<void> {
    const same = (j: CardRefreshJob) => j.incidentId === job.incidentId && j.bucket === job.bucket;
    if (!this.cardRefreshes.some(same)) this.cardRefreshes.push(job);
  }
  async announce(job: AnnounceJob): Promise<void> {
    if (
      !this.announcements.some(
        (a) => a.eventKey === job.eventKey && a.incidentId === job.incidentId,
      )
    ) {
      this.announcements.push(job);
    }
  }
}
