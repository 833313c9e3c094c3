import { z } from "zod";
import { Cause } from "./cause";
import { Actor, IncidentSource, IncidentState, Integration } from "./incident";
import { Phase } from "./phase";
import { Severity } from "./severity";
import { Diagnosis, StepStatus } from "./step-result";
import { DiagnosisStage, Refinement } from "./triage";

/**
 * Everything that happens to an incident, as an append-only list. Each event has a time, an actor
 * (a person or the bot) and a one-line summary; `details` are structured per event type. An event
 * is written before anything is announced about it, so the timeline is the source of truth and
 * every rendering (chat, postmortem) is a pure function of it.
 */
const base = {
  /** Idempotency key: the same key is never appended twice (retries, racing workers). */
  key: z.string().min(1),
  at: z.number().int(),
  actor: Actor,
  summary: z.string(),
};

/** A step as the incident card lists it before it runs. */
export const PlannedStep = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(["diagnostic", "check", "remediation", "manual"]),
});
export type PlannedStep = z.infer<typeof PlannedStep>;

const event = <T extends string, D extends z.ZodTypeAny>(type: T, details: D) =>
  z.object({ ...base, type: z.literal(type), details });

export const TimelineEvent = z.discriminatedUnion("type", [
  event(
    "declared",
    z.object({
      title: z.string(),
      severity: Severity,
      hosts: z.array(z.string()),
      source: IncidentSource.optional(),
    }),
  ),
  /**
   * A delivery from an alerting tool about this incident: the alert that opened it (`firing`),
   * the same alert again while it is open (`repeat`), or the tool saying it is over (`resolved`).
   */
  event(
    "alert",
    z.object({
      integration: Integration,
      /** `attached`: a new alert during a storm, added to this incident instead of a new one. */
      status: z.enum(["firing", "repeat", "resolved", "attached"]),
      alert: z.string(),
      url: z.string().nullable(),
    }),
  ),
  event("commander-set", z.object({ commander: z.string() })),
  event("severity-changed", z.object({ from: Severity, to: Severity })),
  event(
    "phase-changed",
    z.object({
      from: Phase.nullable(),
      to: Phase,
      /** When the phase clock was due to fire (absent when a person moved the phase). */
      scheduledAt: z.number().int().optional(),
    }),
  ),
  event(
    "playbook-started",
    z.object({
      runId: z.string(),
      playbook: z.string(),
      phase: Phase,
      hosts: z.array(z.string()),
      /** The phase's steps in order, so the incident card can list what is still pending. */
      steps: z.array(PlannedStep).optional(),
    }),
  ),
  event(
    "step-started",
    z.object({ runId: z.string(), host: z.string(), stepId: z.string(), title: z.string() }),
  ),
  event(
    "step-finished",
    z.object({
      runId: z.string(),
      host: z.string(),
      stepId: z.string(),
      title: z.string(),
      status: StepStatus,
      exitCode: z.number().int().nullable(),
      durationMs: z.number().int(),
      /** Capped output. */
      output: z.string(),
      reason: z.string().optional(),
      /**
       * When the output holds access-log lines: requests and 5xx answers per minute, as read
       * (absent for other steps and on events written before it was recorded).
       */
      requestsPerMinute: z
        .array(
          z.object({
            at: z.number().int(),
            requests: z.number().int().nonnegative(),
            errors: z.number().int().nonnegative(),
          }),
        )
        .optional(),
    }),
  ),
  event(
    "diagnosis",
    z.object({
      runId: z.string(),
      diagnosis: Diagnosis,
      perHost: z.record(z.string(), Cause),
      /** `triage` from the triage steps alone, `final` from every step; absent: final. */
      stage: DiagnosisStage.optional(),
      /** On a final diagnosis that followed a triage one: what the deeper steps changed. */
      refinement: Refinement.optional(),
      /**
       * Per host, the log and probe lines the diagnosis rests on (capped; absent on events written
       * before it was recorded), so every surface can show why without the run's reports.
       */
      evidence: z.record(z.string(), z.array(z.string())).optional(),
    }),
  ),
  event(
    "approval-requested",
    z.object({
      approvalId: z.string(),
      runId: z.string(),
      stepId: z.string(),
      title: z.string(),
      hosts: z.array(z.string()),
      commands: z.array(z.string()),
      requestedBy: z.string(),
      expiresAt: z.number().int(),
      precheck: z.string().optional(),
    }),
  ),
  event(
    "approval-granted",
    z.object({
      approvalId: z.string(),
      by: z.string(),
      /** Approvals given so far and how many the request needs (absent: one was enough). */
      approvals: z.number().int().optional(),
      required: z.number().int().optional(),
    }),
  ),
  event("approval-denied", z.object({ approvalId: z.string(), by: z.string() })),
  event(
    "approval-expired",
    z.object({
      approvalId: z.string(),
      /** Why it closed undecided when not by its clock, e.g. the incident was resolved. */
      reason: z.string().optional(),
    }),
  ),
  event(
    "remediation-finished",
    z.object({
      approvalId: z.string(),
      host: z.string(),
      stepId: z.string(),
      precheck: StepStatus,
      action: StepStatus,
      verification: StepStatus,
      output: z.string(),
    }),
  ),
  event(
    "remediation-refused",
    z.object({
      approvalId: z.string(),
      host: z.string(),
      /** Why the worker ran nothing: the job did not match what was approved. */
      reason: z.string(),
    }),
  ),
  event("playbook-finished", z.object({ runId: z.string(), playbook: z.string(), phase: Phase })),
  event(
    "status-update",
    z.object({
      text: z.string(),
      reminder: z.boolean(),
      /** For reminders: when the phase clock was due to fire. */
      scheduledAt: z.number().int().optional(),
    }),
  ),
  event("manual-item-ticked", z.object({ stepId: z.string(), title: z.string(), by: z.string() })),
  event("note", z.object({ text: z.string() })),
  event("state-changed", z.object({ from: IncidentState, to: IncidentState })),
  event("resolved", z.object({ summary: z.string() })),
  event("announcement-failed", z.object({ about: z.string(), error: z.string() })),
]);
export type TimelineEvent = z.infer<typeof TimelineEvent>;
export type TimelineEventType = TimelineEvent["type"];
export type TimelineEventOf<T extends TimelineEventType> = Extract<TimelineEvent, { type: T }>;
