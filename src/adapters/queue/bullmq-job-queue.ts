import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { clockEntryName } from "../../domain/phase-clock";
import type {
  AnnounceJob,
  CardRefreshJob,
  ClockJob,
  DeclareJob,
  HostRunJob,
  JobQueue,
  RemediationJob,
} from "../../ports/job-queue";
import { jobIds } from "./job-ids";
import { QUEUE_NAMES, type QueueSettings } from "./queue-settings";

/** The JobQueue port on BullMQ queues, one per kind of work. Every add uses a deterministic job id. */
export class BullmqJobQueue implements JobQueue {
  readonly declares: Queue;
  readonly hostRuns: Queue;
  readonly remediations: Queue;
  readonly clock: Queue;
  readonly announcements: Queue;
  readonly cards: Queue;
  /** Card refresh job ids added by this process, with when each is due. */
  private readonly requestedCards = new Map<string, number>();

  constructor(
    connection: Redis,
    settings: QueueSettings,
    private readonly now: () => number = Date.now,
  ) {
    const base = { connection, prefix: settings.prefix };
    const keep = { removeOnComplete: settings.keepCompleted, removeOnFail: settings.keepFailed };
    // A declare waits only on Redis: retried quickly and for long, since the sender was told 2xx.
    this.declares = new Queue(QUEUE_NAMES.declares, {
      ...base,
      defaultJobOptions: { ...keep, attempts: 12, backoff: { type: "exponential", delay: 250 } },
    });
    this.hostRuns = new Queue(QUEUE_NAMES.hostRuns, {
      ...base,
      defaultJobOptions: {
        ...keep,
        attempts: settings.hostRunAttempts,
        backoff: { type: "exponential", delay: settings.hostRunBackoffMs },
      },
    });
    // A remediation is never retried by the queue: one attempt; the claim marker covers stalls.
    this.remediations = new Queue(QUEUE_NAMES.remediations, {
      ...base,
      defaultJobOptions: { ...keep, attempts: 1 },
    });
    this.clock = new Queue(QUEUE_NAMES.clock, {
      ...base,
      defaultJobOptions: { ...keep, attempts: 5, backoff: { type: "exponential", delay: 500 } },
    });
    this.announcements = new Queue(QUEUE_NAMES.announce, {
      ...base,
      defaultJobOptions: {
        ...keep,
        attempts: settings.announceAttempts,
        backoff: { type: "exponential", delay: settings.announceBackoffMs },
      },
    });
    // Card refreshes are disposable: one per incident and bucket, few kept after completion.
    this.cards = new Queue(QUEUE_NAMES.cards, {
      ...base,
      defaultJobOptions: {
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
        attempts: 5,
        backoff: { type: "exponential", delay: 500 },
      },
    });
  }

  /** Resolves once every queue's connection is up (a close during start-up then has nothing pending). */
  async ready(): Promise<void> {
    const queues = this.all();
    await Promise.all(queues.map((queue) => queue.waitUntilReady()));
  }

  /** Waiting, delayed, active and failed jobs of each queue (for the backlog gauge). */
  async jobCounts(): Promise<Record<string, Record<string, number>>> {
    const queues = this.all();
    const counts = await Promise.all(
      queues.map((queue) => queue.getJobCounts("waiting", "delayed", "active", "failed")),
    );
    return Object.fromEntries(queues.map((queue, i) => [queue.name, counts[i] ?? {}]));
  }

  /** A queue's connection errors (BullMQ emits them instead of throwing), e.g. to the log. */
  onError(listener: (queue: string, error: Error) => void): void {
    for (const queue of this.all()) {
      queue.on("error", (error) => listener(queue.name, error));
    }
  }

  private all(): Queue[] {
    return [
      this.declares,
      this.hostRuns,
      this.remediations,
      this.clock,
      this.announcements,
      this.cards,
    ];
  }

  async enqueueDeclare(job: DeclareJob): Promise<void> {
    await this.declares.add("declare", job, { jobId: jobIds.declare(job.incidentId) });
  }

  async enqueueHostRun(job: HostRunJob): Promise<void> {
    await this.hostRuns.add("host-run", job, { jobId: jobIds.hostRun(job.runId, job.host) });
  }

  async enqueueRemediation(job: RemediationJob): Promise<void> {
    await this.remediations.add("remediation", job, {
      jobId: jobIds.remediation(job),
    });
  }

  async schedule(job: ClockJob): Promise<void> {
    await this.clock.add(job.kind, job, this.clockOptions(job));
  }

  private clockOptions(job: ClockJob): JobsOptions {
    const jobId =
      job.kind === "clock-entry"
        ? jobIds.clockEntry(job.incidentId, clockEntryName(job.entry))
        : jobIds.approvalExpiry(job.approvalId);
    return { jobId, delay: Math.max(0, job.dueAt - this.now()) };
  }

  async cancelClockEntries(incidentId: string, names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => this.clock.remove(jobIds.clockEntry(incidentId, name))));
  }

  async cancelApprovalExpiry(approvalId: string): Promise<void> {
    await this.clock.remove(jobIds.approvalExpiry(approvalId));
  }

  async announce(job: AnnounceJob): Promise<void> {
    await this.announcements.add("announce", job, {
      jobId: jobIds.announce(job.incidentId, job.eventKey),
    });
  }

  async refreshCard(job: CardRefreshJob): Promise<void> {
    const jobId = jobIds.cardRefresh(job.incidentId, job.bucket);
    // Every step start and end asks for its bucket's refresh; BullMQ would refuse the repeats by
    // id anyway, but each refusal still costs a job build and a script call: at 30 hosts that was
    // most of the worker's Redis traffic. Remembered until the bucket is due, then forgotten.
    if (this.requestedCards.has(jobId)) return;
    await this.cards.add("card", job, { jobId, delay: Math.max(0, job.dueAt - this.now()) });
    this.requestedCards.set(jobId, job.dueAt);
    const now = this.now();
    for (const [id, dueAt] of this.requestedCards) if (dueAt < now) this.requestedCards.delete(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
