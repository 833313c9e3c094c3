/**
 * Slack allows about one message per second per channel, with "generous burst behavior" on top.
 * Posts to one channel go out one at a time in the order they were asked for: the first `burst`
 * at once, then one every `minIntervalMs` (a token bucket, kept as the time the next post is due).
 * The burst lets a new incident's card, a failed step and the diagnosis arrive together instead of
 * a second apart each; a 429 is still handled by the Web API client. Channels do not wait for each
 * other, and a failed post does not block the ones behind it.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  /** When each channel's next post is due if it came with no burst left (GCRA). */
  private readonly due = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly burst = 1,
  ) {}

  run<T>(channel: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const result = previous.then(async () => {
      const wait = this.takeTurn(channel);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return work();
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(channel, tail);
    // Forget idle channels so a long-running bot does not keep one entry per incident forever.
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
      this.forgetPast();
    });
    return result;
  }

  /** Books the channel's next post and says how long it must wait for it. */
  private takeTurn(channel: string): number {
    const now = Date.now();
    const due = Math.max(this.due.get(channel) ?? now, now);
    this.due.set(channel, due + this.minIntervalMs);
    return Math.max(0, due - now - (Math.max(1, this.burst) - 1) * this.minIntervalMs);
  }

  /** A due time in the past means the same as none: the channel has its whole burst again. */
  private forgetPast(): void {
    const now = Date.now();
    for (const [channel, due] of this.due) {
      if (due <= now && !this.tails.has(channel)) this.due.delete(channel);
    }
  }
}
