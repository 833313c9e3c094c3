import type { KeyFigureTargets } from "../domain/key-figures";
import type { ProxyKindName } from "../domain/proxies/registry";
import { RUNBOOK_TARGETS } from "../domain/key-figures";
import { DEFAULT_REMINDERS_BY_SEVERITY, type RemindersBySeverity } from "../domain/phase-clock";
import type { ApprovalStore } from "../ports/approval-store";
import type { Chat } from "../ports/chat";
import type { Clock } from "../ports/clock";
import type { DeliveryLog } from "../ports/delivery-log";
import type { IncidentPageLinks } from "../ports/incident-pages";
import type { IncidentStore } from "../ports/incident-store";
import type { JobQueue } from "../ports/job-queue";
import type { Metrics } from "../ports/metrics";
import type { PlaybookRunner } from "../ports/playbook-runner";
import type { RunStore } from "../ports/run-store";
import type { TimelineStore } from "../ports/timeline-store";

/** What the lifecycle use cases read from configuration; main.ts builds it from the environment. */
export interface LifecycleSettings {
  /** One incident-clock minute in real milliseconds (PHASE_MINUTE_MS). */
  phaseMinuteMs: number;
  reminders: RemindersBySeverity;
  /** INCIDENT_APPROVERS: empty means nobody can approve. */
  approvers: readonly string[];
  allowSelfApproval: boolean;
  /** INCIDENT_APPROVALS_REQUIRED: distinct allowed approvers per remediation (default 1). */
  approvalsRequired: number;
  /** INCIDENT_OPERATORS: who may declare with hosts:, run, resolve, set the commander; empty: all. */
  operators: readonly string[];
  /** INCIDENT_RESPONDERS: invited to every incident channel. */
  responders: readonly string[];
  /**
   * The playbook a new incident runs, phase by phase, on the hosts of each proxy kind; a kind not
   * named runs its own package's default (apache-502, nginx-502, haproxy-502).
   */
  defaultPlaybooks: Partial<Record<ProxyKindName, string>>;
  /** Step output longer than this is cut in chat (the timeline keeps the engine's capped output). */
  maxChatOutputChars: number;
  targets: KeyFigureTargets;
  /** Card updates are coalesced to at most one per incident per this many ms. */
  cardRefreshMs: number;
  /**
   * A host's deeper steps wait for its group's triage diagnosis, at most this long after its own
   * triage is in; 0 sends them with the triage steps. See executeHostRun.
   */
  deeperStepsWaitMs: number;
}

export const DEFAULT_SETTINGS: LifecycleSettings = {
  phaseMinuteMs: 60_000,
  reminders: DEFAULT_REMINDERS_BY_SEVERITY,
  approvers: [],
  allowSelfApproval: false,
  approvalsRequired: 1,
  operators: [],
  responders: [],
  defaultPlaybooks: {},
  maxChatOutputChars: 2500,
  targets: RUNBOOK_TARGETS,
  cardRefreshMs: 1000,
  deeperStepsWaitMs: 3000,
};

/** Every port the lifecycle uses; each use case takes this object and its own input. */
export interface LifecycleDeps {
  incidents: IncidentStore;
  timeline: TimelineStore;
  /** Which messages of each announcement were sent (a retried announcement sends the rest). */
  deliveries: DeliveryLog;
  runs: RunStore;
  approvals: ApprovalStore;
  queue: JobQueue;
  clock: Clock;
  runner: PlaybookRunner;
  chat: Chat;
  settings: LifecycleSettings;
  /** A short random suffix for new ids (lower-case letters and digits). */
  randomSuffix(): string;
  /** A collision-resistant fingerprint of a text (SHA-256, hex): binds jobs to what was approved. */
  digest(text: string): string;
  /** The incident page's link (PUBLIC_URL set); absent, the card and messages carry none. */
  pages?: IncidentPageLinks;
  /** Counters and histograms (Prometheus in production); absent in most unit tests. */
  metrics?: Metrics;
  log?(message: string, details?: Record<string, unknown>): void;
}
