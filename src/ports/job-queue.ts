import { z } from "zod";
import { IncidentId, IncidentSource } from "../domain/incident";
import { ClockEntry } from "../domain/phase-clock";
import { Severity } from "../domain/severity";
import { TimelineEvent } from "../domain/timeline";

/**
 * The background work of an incident, as jobs. Payloads are zod schemas so the worker parses them
 * again on the way in. Every enqueue is idempotent: the queue derives a deterministic job id from
 * the payload, so enqueueing the same work twice leaves one job.
 *
 * Granularity: one host-run job per (run, host). It runs that host's steps of the phase in order
 * over one SSH connection and records each result, so a retry after a crash skips finished steps;
 * remediation never runs inside it. Remediation is one job per (approval, host), never retried.
 */
export const HostRunJob = z.object({ incidentId: z.string(), runId: z.string(), host: z.string() });
export type HostRunJob = z.infer<typeof HostRunJob>;

export const RemediationJob = z.object({
  incidentId: z.string(),
  approvalId: z.string(),
  host: z.string(),
  /** The digest of the commands the approval showed for this host; the worker compares it. */
  commandDigest: z.string().min(1),
});
export type RemediationJob = z.infer<typeof RemediationJob>;

export const ClockJob = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("clock-entry"),
    incidentId: z.string(),
    entry: ClockEntry,
    dueAt: z.number().int(),
  }),
  z.object({
    kind: z.literal("approval-expiry"),
    incidentId: z.string(),
    approvalId: z.string(),
    dueAt: z.number().int(),
  }),
]);
export type ClockJob = z.infer<typeof ClockJob>;

/**
 * An incident an alert declares. The intake claims the alert's key, enqueues this and answers;
 * the job saves the incident, writes `declared` and the alert's firing, starts the clock and the
 * playbook. Declaring the same id again (a retried attempt) goes on from what was stored.
 */
export const DeclareJob = z.object({
  incidentId: IncidentId,
  title: z.string().min(1),
  severity: Severity,
  hosts: z.array(z.string()),
  declaredBy: z.string(),
  declaredAt: z.number().int(),
  source: IncidentSource,
  /** The alert event written just after `declared`. */
  firing: TimelineEvent,
});
export type DeclareJob = z.infer<typeof DeclareJob>;

export const AnnounceJob = z.object({ incidentId: z.string(), eventKey: z.string() });
export type AnnounceJob = z.infer<typeof AnnounceJob>;

/**
 * Re-render the incident card. Events arrive faster than chat should be updated, so refreshes are
 * coalesced per incident and time bucket: one refresh runs after each bucket in which anything
 * happened, and reads the whole timeline then.
 */
export const CardRefreshJob = z.object({
  incidentId: z.string(),
  /** floor(time / bucketMs); the job is due when the bucket ends. */
  bucket: z.number().int().nonnegative(),
  dueAt: z.number().int(),
});
export type CardRefreshJob = z.infer<typeof CardRefreshJob>;

export interface JobQueue {
  enqueueDeclare(job: DeclareJob): Promise<void>;
  enqueueHostRun(job: HostRunJob): Promise<void>;
  enqueueRemediation(job: RemediationJob): Promise<void>;
  /** A delayed job due at `job.dueAt` (epoch ms); survives restarts of every process. */
  schedule(job: ClockJob): Promise<void>;
  /** Removes pending clock entries of the incident by name (see clockEntryName). */
  cancelClockEntries(incidentId: string, names: readonly string[]): Promise<void>;
  cancelApprovalExpiry(approvalId: string): Promise<void>;
  /** Asks the announce worker to tell the chat about an event already in the timeline. */
  announce(job: AnnounceJob): Promise<void>;
  /** At most one refresh per incident and bucket (a deterministic id); see CardRefreshJob. */
  refreshCard(job: CardRefreshJob): Promise<void>;
}
