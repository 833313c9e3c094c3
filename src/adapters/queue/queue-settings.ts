/**
 * How the lifecycle's queues behave. Defaults in comments; main.ts may override, tests shrink the
 * lock and stall timings so a killed worker's job is picked up in about a second.
 */
export interface QueueSettings {
  /** BullMQ key prefix; a deployment's own, or a test's uniquePrefix(). Default "incident-bot". */
  prefix: string;
  /** Host-run attempts for transient step errors (default 3), exponential backoff from 2 s. */
  hostRunAttempts: number;
  hostRunBackoffMs: number;
  /** Announcement attempts while chat is failing (default 8), exponential backoff from 1 s. */
  announceAttempts: number;
  announceBackoffMs: number;
  /** How long a worker's lock on a job lasts without renewal (default 30 s; BullMQ's too). */
  lockDurationMs: number;
  /** How often stalled jobs (their worker died) are looked for (default 15 s). */
  stalledIntervalMs: number;
  /** Completed jobs are kept this long (dedupe of deterministic ids), and at most this many. */
  keepCompleted: { age: number; count: number };
  keepFailed: { age: number; count: number };
  concurrency: {
    declares: number;
    hostRuns: number;
    remediations: number;
    clock: number;
    announce: number;
    cards: number;
  };
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  prefix: "incident-bot",
  hostRunAttempts: 3,
  hostRunBackoffMs: 2000,
  announceAttempts: 8,
  announceBackoffMs: 1000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  // Seconds, as BullMQ's KeepJobs wants them: two days covers an incident's 24 h clock.
  keepCompleted: { age: 2 * 24 * 3600, count: 10_000 },
  keepFailed: { age: 14 * 24 * 3600, count: 10_000 },
  // Host runs mostly wait on SSH and the hosts: 32 at once, as the engine itself fans out, so a
  // 30-host incident gets every host's triage in one wave instead of four.
  concurrency: { declares: 8, hostRuns: 32, remediations: 4, clock: 32, announce: 8, cards: 4 },
};

export const QUEUE_NAMES = {
  declares: "declares",
  hostRuns: "host-runs",
  remediations: "remediations",
  clock: "clock",
  announce: "announce",
  cards: "cards",
} as const;
