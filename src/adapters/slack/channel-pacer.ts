/**
 * Slack allows about one message per second per channel. Posts to one channel go out one at a
 * time, at least `minIntervalMs` apart, in the order they were asked for; channels do not wait for
 * each other. A failed post does not block the ones behind it.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly minIntervalMs: number) {}

  run<T>(channel: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const result = previous.then(async () => {
      const wait = (this.lastSent.get(channel) ?? 0) + this.minIntervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await work();
      } finally {
        this.lastSent.set(channel, Date.now());
      }
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(channel, tail);
    // Forget idle channels so a long-running bot does not keep one entry per incident forever.
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    return result;
  }
}
