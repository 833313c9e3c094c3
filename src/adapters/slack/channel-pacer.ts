/**
 * Slack allows about one message per second per channel, with "generous burst behavior" on top.
 * Posts to one channel go out one at a time: the first `burst` at once, then one every
 * `minIntervalMs` (a token bucket, kept as the time the next post is due). The burst lets a new
 * incident's card, a failed step and the diagnosis arrive together instead of a second apart each;
 * a 429 is still handled by the Web API client. Channels do not wait for each other, and a failed
 * post does not block the ones behind it.
 *
 * Two lanes: `first` (the card, diagnoses, approval cards, messages) and `later` (thread replies
 * carrying step output). Each lane keeps its order; whenever a post's turn comes, the oldest
 * `first` post goes before any `later` one, so an approval card never waits behind a run's
 * per-host output replies however many of them are queued. The burst is for `first` posts only:
 * a reply waits out the steady pace, and a `first` post that comes meanwhile goes at once, so the
 * approval card that follows a diagnosis by a moment (the outputs are queued with the diagnosis)
 * still goes before them.
 */
export type PacerLane = "first" | "later";

interface Pending {
  work: () => Promise<void>;
}

interface ChannelQueue {
  first: Pending[];
  later: Pending[];
  pumping: boolean;
  /** Ends a reply's wait for the steady pace when a first-lane post comes. */
  wake: (() => void) | null;
}

export class ChannelPacer {
  private readonly queues = new Map<string, ChannelQueue>();
  /** When each channel's next post is due if it came with no burst left (GCRA). */
  private readonly due = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly burst = 1,
  ) {}

  run<T>(channel: string, work: () => Promise<T>, lane: PacerLane = "first"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.queueOf(channel);
      queue[lane].push({ work: () => work().then(resolve, reject) });
      if (lane === "first") queue.wake?.();
      if (!queue.pumping) void this.pump(channel, queue);
    });
  }

  private queueOf(channel: string): ChannelQueue {
    let queue = this.queues.get(channel);
    if (!queue) {
      queue = { first: [], later: [], pumping: false, wake: null };
      this.queues.set(channel, queue);
    }
    return queue;
  }

  /** Sends the channel's posts one at a time, `first` lane before `later`, at the channel's pace. */
  private async pump(channel: string, queue: ChannelQueue): Promise<void> {
    queue.pumping = true;
    while (queue.first.length > 0 || queue.later.length > 0) {
      // Only replies queued: they wait out the steady pace, and give way at once to a first-lane
      // post that comes meanwhile (which may still use the burst).
      const steady = queue.first.length === 0 ? this.steadyWait(channel) : 0;
      if (steady > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, steady);
          queue.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        queue.wake = null;
        continue;
      }
      const wait = this.takeTurn(channel, queue.first.length > 0);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Chosen after the wait: a `first` post that came meanwhile goes ahead of queued replies.
      const next = queue.first.shift() ?? queue.later.shift();
      if (next) await next.work();
    }
    queue.pumping = false;
    // Forget idle channels so a long-running bot does not keep one entry per incident forever.
    if (this.queues.get(channel) === queue) this.queues.delete(channel);
    this.forgetPast();
  }

  /** How long until the channel's steady pace allows a post, burst aside; books nothing. */
  private steadyWait(channel: string): number {
    return Math.max(0, (this.due.get(channel) ?? 0) - Date.now());
  }

  /** Books the channel's next post and says how long it must wait for it. */
  private takeTurn(channel: string, mayBurst: boolean): number {
    const now = Date.now();
    const due = Math.max(this.due.get(channel) ?? now, now);
    this.due.set(channel, due + this.minIntervalMs);
    const burst = mayBurst ? Math.max(1, this.burst) - 1 : 0;
    return Math.max(0, due - now - burst * this.minIntervalMs);
  }

  /** A due time in the past means the same as none: the channel has its whole burst again. */
  private forgetPast(): void {
    const now = Date.now();
    for (const [channel, due] of this.due) {
      if (due <= now && !this.queues.has(channel)) this.due.delete(channel);
    }
  }
}
