import type { Incident } from "../domain/incident";
import { incidentProgress } from "../domain/incident-progress";
import type { TimelineEvent } from "../domain/timeline";
import type { ApprovalCard, IncidentCard } from "../ports/chat";
import type { Approval, ApprovalDecision, ApprovalGrant } from "../domain/approval";
import { stateOf } from "../domain/approval";

/**
 * The incident card: a pure function of the incident and its timeline, re-rendered after every
 * event and updated in place. The checklist shows the current phase's steps with per-host state.
 */
export function buildIncidentCard(
  incident: Incident,
  events: readonly TimelineEvent[],
  now: number,
  pageUrl: string | null = null,
): IncidentCard {
  const diagnoses = events.filter((e) => e.type === "diagnosis");
  const last = diagnoses[diagnoses.length - 1];
  return {
    incident,
    elapsedMs: Math.max(0, (incident.resolvedAt ?? now) - incident.declaredAt),
    checklist: incidentProgress(events, incident.phase).map((item) => ({
      stepId: item.stepId,
      title: item.title,
      kind: item.kind,
      states: { ...item.states },
    })),
    diagnosis: last?.details.diagnosis ?? null,
    ...(last ? { diagnosisStage: last.details.stage ?? "final" } : {}),
    pageUrl,
  };
}

export function buildApprovalCard(
  approval: Approval,
  decision: ApprovalDecision | null,
  events: readonly TimelineEvent[],
  grants: readonly ApprovalGrant[] = [],
): ApprovalCard {
  const outcomes = events.filter(
    (e) => e.type === "remediation-finished" && e.details.approvalId === approval.id,
  );
  return {
    approvalId: approval.id,
    incidentId: approval.incidentId,
    title: approval.title,
    hosts: approval.hosts,
    commands: shownCommands(approval),
    precheck: approval.precheck,
    state: stateOf(decision),
    requestedBy: approval.requestedBy,
    decidedBy: decision?.by ?? null,
    approvals: grants.map((g) => ({ by: g.by, at: g.at })),
    required: approval.required,
    expiresAt: approval.expiresAt,
    outcome: outcomes.length > 0 ? outcomes.map((e) => e.summary).join("\n") : null,
  };
}

/** One line per distinct action; per host when the hosts' rendered actions differ. */
function shownCommands(approval: Approval): string[] {
  const actions = new Set(approval.plan.map((p) => p.action));
  if (actions.size <= 1) return [...actions];
  return approval.plan.map((p) => `${p.host}: ${p.action}`);
}
