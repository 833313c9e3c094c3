import { performance } from "node:perf_hooks";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import {
  AnnounceJob,
  CardRefreshJob,
  ClockJob,
  DeclareJob,
  HostRunJob,
  RemediationJob,
} from "../../ports/job-queue";
import { QUEUE_NAMES, type QueueSettings } from "./queue-settings";

type ClockEntryJob = Extract<ClockJob, { kind: "clock-entry" }>;
type ApprovalExpiryJob = Extract<ClockJob, { kind: "approval-expiry" }>;

/** What each worker calls: the use cases, bound to their ports by main.ts. */
export interface LifecycleHandlers {
  declare(job: DeclareJob, attempt: { isLastAttempt: boolean }): Promise<unknown>;
  hostRun(job: HostRunJob, attempt: { isLastAttempt: boolean }): Promise<unknown>;
  remediation(job: RemediationJob): Promise<unknown>;
  clockEntry(job: ClockEntryJob): Promise<unknown>;
  approvalExpiry(job: ApprovalExpiryJob): Promise<unknown>;
  announce(job: AnnounceJob): Promise<unknown>;
  cardRefresh(job: CardRefreshJob): Promise<unknown>;
  /** After an announcement's last attempt failed: leave a trace in the timeline. */
  announceFailed(job: AnnounceJob, error: string): Promise<unknown>;
}

export interface LifecycleWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

/**
 * The workers, one per queue. Each is thin: parse the payload with zod, call one handler, and turn an error
 * that says `retryable: false` into BullMQ's UnrecoverableError so it is not retried.
 */
export function startLifecycleWorkers(
  connection: Redis,
  settings: QueueSettings,
  handlers: LifecycleHandlers,
  onError: (where: string, error: unknown, job?: JobBindings) => void = () => undefined,
  onAttempt: (queue: string, outcome: "completed" | "failed", seconds: number) => void = () =>
    undefined,
): LifecycleWorkers {
  const common = {
    connection,
    prefix: settings.prefix,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: 1,
  };
  const make = (name: string, concurrency: number, process: (job: Job) => Promise<unknown>) => {
    const worker = new Worker(name, (job) => timed(name, onAttempt, () => guarded(process, job)), {
      ...common,
      concurrency,
    });
    worker.on("error", (error) => onError(name, error));
    // A failed attempt (retried or not) is worth a line naming the job and its incident.
    worker.on("failed", (job, error) => onError(name, error, job ? jobBindings(job) : undefined));
    return worker;
  };
  const workers = [
    make(QUEUE_NAMES.declares, settings.concurrency.declares, (job) =>
      handlers.declare(payload(DeclareJob, job), { isLastAttempt: isLastAttempt(job) }),
    ),
    make(QUEUE_NAMES.hostRuns, settings.concurrency.hostRuns, (job) =>
      handlers.hostRun(payload(HostRunJob, job), { isLastAttempt: isLastAttempt(job) }),
    ),
    make(QUEUE_NAMES.remediations, settings.concurrency.remediations, (job) =>
      handlers.remediation(payload(RemediationJob, job)),
    ),
    make(QUEUE_NAMES.clock, settings.concurrency.clock, (job) => {
      const clock = payload(ClockJob, job);
      return clock.kind === "clock-entry"
        ? handlers.clockEntry(clock)
        : handlers.approvalExpiry(clock);
    }),
    make(QUEUE_NAMES.announce, settings.concurrency.announce, async (job) => {
      const announce = payload(AnnounceJob, job);
      try {
        return await handlers.announce(announce);
      } catch (error) {
        if (isLastAttempt(job) || !isRetryable(error)) {
          await handlers.announceFailed(announce, describe(error));
        }
        throw error;
      }
    }),
    make(QUEUE_NAMES.cards, settings.concurrency.cards, (job) =>
      handlers.cardRefresh(payload(CardRefreshJob, job)),
    ),
  ];
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** What a log line about a job says about it: its id and the incident, run and host it serves. */
export interface JobBindings {
  job: string;
  incident?: string;
  run?: string;
  host?: string;
}

function jobBindings(job: Job): JobBindings {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const bindings: JobBindings = { job: job.id ?? job.name };
  const incident = text(data.incidentId);
  const run = text(data.runId);
  const host = text(data.host);
  if (incident) bindings.incident = incident;
  if (run) bindings.run = run;
  if (host) bindings.host = host;
  return bindings;
}

/** attemptsMade counts the attempts that already failed; stalls do not count. */
function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

function payload<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`bad ${job.name} payload: ${parsed.error.message}`);
  }
  return parsed.data;
}

async function timed<T>(
  queue: string,
  onAttempt: (queue: string, outcome: "completed" | "failed", seconds: number) => void,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let outcome: "completed" | "failed" = "failed";
  try {
    const value = await work();
    outcome = "completed";
    return value;
  } finally {
    onAttempt(queue, outcome, (performance.now() - started) / 1000);
  }
}

async function guarded(process: (job: Job) => Promise<unknown>, job: Job): Promise<unknown> {
  try {
    return await process(job);
  } catch (error) {
    if (error instanceof UnrecoverableError || isRetryable(error)) throw error;
    throw new UnrecoverableError(describe(error));
  }
}

/** Errors say whether a retry can help (`retryable`); anything that does not say is retried. */
function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
