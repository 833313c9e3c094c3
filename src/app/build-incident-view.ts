import type { Cause } from "../domain/cause";
import { requestsPerMinute, type MinuteCount } from "../domain/access-log-status";
import type { Incident } from "../domain/incident";
import { keyFigures, type KeyFigureTargets } from "../domain/key-figures";
import type { TextPart } from "../domain/message-text";
import { phaseWindows, type Phase } from "../domain/phase";
import type { Diagnosis, StepStatus } from "../domain/step-result";
import type { TimelineEvent, TimelineEventOf } from "../domain/timeline";
import { actorPart, describeEvent } from "../domain/timeline-render";

/**
 * The whole incident as plain data for a reader who was not in the channel: the incident page
 * renders it as HTML, and any other surface could. A pure function of the incident, its timeline
 * and the time, like the card; every string in it is text as written (titles, notes, output),
 * for the surface to escape, and people are parts the surface names its own way.
 */
export interface IncidentView {
  incident: Incident;
  now: number;
  elapsedMs: number;
  phases: PhaseSpan[];
  figures: FigureView[];
  diagnoses: DiagnosisView[];
  hosts: HostStepsView[];
  approvals: ApprovalView[];
  timeline: TimelineEntryView[];
  /** The 5xx share per host over time, from the access-log lines the steps read. */
  errorRates: HostErrorRate[];
}

/** A phase as it happened (`endAt` null while current), beside the runbook's window for it. */
export interface PhaseSpan {
  phase: Phase;
  startAt: number;
  endAt: number | null;
  plannedStartAt: number;
  plannedEndAt: number;
}

export interface FigureView {
  label: string;
  actualMs: number | null;
  targetMs: number | null;
  met: boolean | null;
}

export interface DiagnosisView {
  at: number;
  runId: string;
  diagnosis: Diagnosis;
  perHost: Record<string, Cause>;
  evidence: { host: string; lines: string[] }[];
}

export interface StepOutput {
  text: string;
  /** Characters left out at the start (the newest lines are kept). */
  cutChars: number;
}

export interface StepView {
  at: number;
  runId: string;
  stepId: string;
  title: string;
  status: StepStatus;
  exitCode: number | null;
  durationMs: number;
  reason: string | null;
  output: StepOutput;
}

export interface HostStepsView {
  host: string;
  steps: StepView[];
}

export interface ApprovalView {
  approvalId: string;
  title: string;
  hosts: string[];
  commands: string[];
  precheck: string | null;
  requestedBy: string;
  requestedAt: number;
  expiresAt: number;
  state: "pending" | "approved" | "denied" | "expired";
  required: number;
  decisions: { by: string; at: number; decision: "approved" | "denied" }[];
  closedBecause: string | null;
  outcomes: {
    host: string;
    at: number;
    precheck: StepStatus;
    action: StepStatus;
    verification: StepStatus;
  }[];
  refusals: { host: string; at: number; reason: string }[];
}

export interface TimelineEntryView {
  at: number;
  type: TimelineEvent["type"];
  actor: TextPart;
  text: TextPart[];
}

export interface ErrorRatePoint {
  /** Start of the bucket. */
  at: number;
  requests: number;
  errors: number;
}

export interface HostErrorRate {
  host: string;
  bucketMs: number;
  points: ErrorRatePoint[];
}

export interface IncidentViewSettings {
  phaseMinuteMs: number;
  targets: KeyFigureTargets;
}

/**
 * All step output shown on one page shares this budget, so an incident with thousands of steps
 * still makes a page a browser opens at once; each output keeps at least MIN_ and at most MAX_.
 */
const OUTPUT_BUDGET_CHARS = 200_000;
const MIN_OUTPUT_CHARS = 300;
const MAX_OUTPUT_CHARS = 8_000;

export function buildIncidentView(
  incident: Incident,
  events: readonly TimelineEvent[],
  now: number,
  settings: IncidentViewSettings,
): IncidentView {
  const end = incident.resolvedAt ?? now;
  return {
    incident,
    now,
    elapsedMs: Math.max(0, end - incident.declaredAt),
    phases: phaseSpans(incident, events, end, settings.phaseMinuteMs),
    figures: figureViews(events, now, settings),
    diagnoses: events.filter(isType("diagnosis")).map(diagnosisView),
    hosts: hostSteps(events),
    approvals: approvalViews(events),
    timeline: events.map((e) => ({
      at: e.at,
      type: e.type,
      actor: actorPart(e.actor),
      text: describeEvent(e),
    })),
    errorRates: errorRates(events),
  };
}

function isType<T extends TimelineEvent["type"]>(type: T) {
  return (e: TimelineEvent): e is TimelineEventOf<T> => e.type === type;
}

function phaseSpans(
  incident: Incident,
  events: readonly TimelineEvent[],
  end: number,
  phaseMinuteMs: number,
): PhaseSpan[] {
  const planned = (phase: Phase) => ({
    plannedStartAt: incident.declaredAt + phaseWindows[phase].startMinute * phaseMinuteMs,
    plannedEndAt: incident.declaredAt + phaseWindows[phase].endMinute * phaseMinuteMs,
  });
  const spans: PhaseSpan[] = [];
  let current: Phase = "immediate";
  let since = incident.declaredAt;
  for (const e of events) {
    if (e.type !== "phase-changed" || e.details.to === current) continue;
    spans.push({ phase: current, startAt: since, endAt: e.at, ...planned(current) });
    current = e.details.to;
    since = e.at;
  }
  const closed = incident.resolvedAt === null ? null : end;
  spans.push({ phase: current, startAt: since, endAt: closed, ...planned(current) });
  return spans;
}

function figureViews(
  events: readonly TimelineEvent[],
  now: number,
  settings: IncidentViewSettings,
): FigureView[] {
  const f = keyFigures(events, now, settings.phaseMinuteMs, settings.targets);
  const minutes = (m: number) => m * settings.phaseMinuteMs;
  return [
    {
      label: "First response (first diagnosis)",
      actualMs: f.toFirstDiagnosisMs,
      targetMs: minutes(f.targets.firstResponseMinutes),
      met: f.firstResponseMet,
    },
    {
      label: "Recovery (mitigation)",
      actualMs: f.toMitigationMs,
      targetMs: minutes(f.targets.recoveryMinutes),
      met: f.recoveryMet,
    },
    { label: "Resolve", actualMs: f.toResolveMs, targetMs: null, met: null },
  ];
}

function diagnosisView(e: TimelineEventOf<"diagnosis">): DiagnosisView {
  return {
    at: e.at,
    runId: e.details.runId,
    diagnosis: e.details.diagnosis,
    perHost: e.details.perHost,
    evidence: Object.entries(e.details.evidence ?? {}).map(([host, lines]) => ({ host, lines })),
  };
}

function hostSteps(events: readonly TimelineEvent[]): HostStepsView[] {
  const finished = events.filter(isType("step-finished"));
  const each = Math.min(
    MAX_OUTPUT_CHARS,
    Math.max(MIN_OUTPUT_CHARS, Math.floor(OUTPUT_BUDGET_CHARS / Math.max(1, finished.length))),
  );
  const byHost = new Map<string, StepView[]>();
  for (const e of finished) {
    const d = e.details;
    const steps = byHost.get(d.host) ?? [];
    steps.push({
      at: e.at,
      runId: d.runId,
      stepId: d.stepId,
      title: d.title,
      status: d.status,
      exitCode: d.exitCode,
      durationMs: d.durationMs,
      reason: d.reason ?? null,
      output: capOutput(d.output, each),
    });
    byHost.set(d.host, steps);
  }
  return [...byHost.entries()].map(([host, steps]) => ({ host, steps }));
}

function capOutput(output: string, maxChars: number): StepOutput {
  if (output.length <= maxChars) return { text: output, cutChars: 0 };
  // The newest part: the page says itself how much was cut, so no marker line in the text.
  return { text: output.slice(output.length - maxChars), cutChars: output.length - maxChars };
}

function approvalViews(events: readonly TimelineEvent[]): ApprovalView[] {
  const views = new Map<string, ApprovalView>();
  for (const e of events) {
    if (e.type === "approval-requested") {
      const d = e.details;
      views.set(d.approvalId, {
        approvalId: d.approvalId,
        title: d.title,
        hosts: d.hosts,
        commands: d.commands,
        precheck: d.precheck ?? null,
        requestedBy: d.requestedBy,
        requestedAt: e.at,
        expiresAt: d.expiresAt,
        state: "pending",
        required: 1,
        decisions: [],
        closedBecause: null,
        outcomes: [],
        refusals: [],
      });
      continue;
    }
    applyApprovalEvent(views, e);
  }
  return [...views.values()];
}

function applyApprovalEvent(views: Map<string, ApprovalView>, e: TimelineEvent): void {
  if (!("approvalId" in e.details)) return;
  const view = views.get(e.details.approvalId);
  if (!view) return;
  if (e.type === "approval-granted") {
    view.decisions.push({ by: e.details.by, at: e.at, decision: "approved" });
    view.required = e.details.required ?? 1;
    const given = e.details.approvals ?? view.decisions.length;
    if (given >= view.required) view.state = "approved";
  } else if (e.type === "approval-denied") {
    view.decisions.push({ by: e.details.by, at: e.at, decision: "denied" });
    view.state = "denied";
  } else if (e.type === "approval-expired") {
    view.state = "expired";
    view.closedBecause = e.details.reason ?? null;
  } else if (e.type === "remediation-finished") {
    const { host, precheck, action, verification } = e.details;
    view.outcomes.push({ host, at: e.at, precheck, action, verification });
  } else if (e.type === "remediation-refused") {
    view.refusals.push({ host: e.details.host, at: e.at, reason: e.details.reason });
  }
}

/** Steps whose output is the access log (`access-log`, `access-log-recent` in the playbooks). */
const ACCESS_LOG_STEP = /^access-log/;
/** About this many points per host across the window, each a whole number of minutes. */
const RATE_POINTS = 40;
const MINUTE_MS = 60_000;

/**
 * The 5xx share per host over time, from the request counts per minute each access-log step
 * recorded (or, for events recorded before the counts were, from its output). Runs read
 * overlapping windows of the same log, so each minute's counts come from the read that saw most
 * of it: a request is counted once however many reads returned its line.
 */
function errorRates(events: readonly TimelineEvent[]): HostErrorRate[] {
  const byHost = new Map<string, Map<number, MinuteCount>>();
  let start = Infinity;
  let last = -Infinity;
  for (const e of events) {
    if (e.type !== "step-finished") continue;
    const counts = e.details.requestsPerMinute ?? olderEventCounts(e);
    if (counts.length === 0) continue;
    const minutes = byHost.get(e.details.host) ?? new Map<number, MinuteCount>();
    for (const count of counts) {
      const seen = minutes.get(count.at);
      if (!seen || seen.requests < count.requests) minutes.set(count.at, count);
      start = Math.min(start, count.at);
      last = Math.max(last, count.at);
    }
    byHost.set(e.details.host, minutes);
  }
  if (start === Infinity) return [];
  const bucketMs = Math.max(1, Math.ceil((last - start) / MINUTE_MS / RATE_POINTS)) * MINUTE_MS;
  return [...byHost.entries()].map(([host, minutes]) => ({
    host,
    bucketMs,
    points: bucketed(minutes.values(), start, bucketMs),
  }));
}

function olderEventCounts(e: TimelineEventOf<"step-finished">): MinuteCount[] {
  return ACCESS_LOG_STEP.test(e.details.stepId) ? requestsPerMinute(e.details.output) : [];
}

function bucketed(
  minutes: Iterable<MinuteCount>,
  start: number,
  bucketMs: number,
): ErrorRatePoint[] {
  const buckets = new Map<number, ErrorRatePoint>();
  for (const minute of minutes) {
    const at = start + Math.floor((minute.at - start) / bucketMs) * bucketMs;
    let point = buckets.get(at);
    if (!point) buckets.set(at, (point = { at, requests: 0, errors: 0 }));
    point.requests += minute.requests;
    point.errors += minute.errors;
  }
  return [...buckets.values()].sort((a, b) => a.at - b.at);
}
