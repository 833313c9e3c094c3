import { randomBytes } from "node:crypto";
import type { Client, ClientChannel } from "ssh2";
import { shellQuote } from "../../domain/template";
import type { BatchEvents, CommandRequest, HostTarget } from "../../ports/remote-executor";
import { RemoteError } from "../../ports/remote-executor";
import { FrameParser, buildDriver } from "./batch-driver";
import { CLIENT_GRACE_MS, batchDeadlineMs, outcomeOfFrame } from "./timing";

/** What a caller may watch of a batch in flight (tests read the parser's own accounting). */
export interface BatchWatch {
  /** Bytes the parser holds after each chunk from the host. */
  buffered?(bytes: number): void;
}

/**
 * Runs `requests` through the batch driver on one exec channel of `client`. Each command is
 * reported as its start and result frames arrive. The host is not trusted to end anything:
 *   - the whole batch has one deadline, fixed when it starts (batchDeadlineMs); no frame moves it;
 *   - a command whose result is not in CLIENT_GRACE_MS after its timeout (the host's `timeout`
 *     should have ended it) ends the batch;
 *   - output that breaks the framing (see FrameParser) ends it at once.
 * Ending it does not wait for the host: the connection is torn down (closeHard) and the batch
 * rejects with a RemoteError saying why, so the step in flight fails with that reason and the
 * caller drops the connection. Commands never started are left unreported (run alone later).
 * After the last result the host has CLIENT_GRACE_MS to close the channel, else it is torn down
 * too; every result is in by then, so the batch resolves.
 */
export function runBatchOnChannel(
  client: Client,
  target: HostTarget,
  requests: readonly CommandRequest[],
  events: BatchEvents,
  watch: BatchWatch = {},
): Promise<void> {
  const nonce = randomBytes(16).toString("hex");
  const command = `sh -c ${shellQuote(buildDriver(requests, nonce))}`;
  const deadlineMs = batchDeadlineMs(requests);
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(new RemoteError("disconnected", `${target.name}: ${error.message}`, true));
        return;
      }
      const run = new BatchRun(client, channel, target, { resolve, reject });
      run.start(requests, events, nonce, deadlineMs, watch);
    });
  });
}

/** One batch on its channel: its timers, its parser and the single way it ends. */
class BatchRun {
  private readonly timers: NodeJS.Timeout[] = [];
  private stepTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private lastResultIn = false;

  constructor(
    private readonly client: Client,
    private readonly channel: ClientChannel,
    private readonly target: HostTarget,
    private readonly settle: { resolve(): void; reject(error: RemoteError): void },
  ) {}

  start(
    requests: readonly CommandRequest[],
    events: BatchEvents,
    nonce: string,
    deadlineMs: number,
    watch: BatchWatch,
  ): void {
    const started = new Map<number, number>();
    const parser = new FrameParser(
      nonce,
      requests.map((request) => request.maxOutputBytes),
      {
        started: (index) => {
          started.set(index, performance.now());
          this.watchStep(index, requests[index]?.timeoutMs ?? 0);
          events.started(index);
        },
        finished: (result) => {
          clearTimeout(this.stepTimer);
          const durationMs = Math.round(performance.now() - (started.get(result.index) ?? 0));
          events.finished(result.index, outcomeOfFrame(result, requests[result.index], durationMs));
        },
      },
    );
    this.after(deadlineMs, () =>
      this.fail("timeout", `the batch passed its deadline of ${seconds(deadlineMs)}`),
    );
    this.client.once("close", this.onClientClose);
    this.channel.on("data", (chunk: Buffer) => {
      if (this.ended) return;
      parser.push(chunk);
      watch.buffered?.(parser.buffered.now);
      if (parser.error)
        this.fail("disconnected", `its batch output broke the framing: ${parser.error}`);
      else if (parser.complete && !this.lastResultIn) {
        this.lastResultIn = true;
        this.after(CLIENT_GRACE_MS, () => this.finish(true));
      }
    });
    // The driver writes nothing there itself; drain it so the channel window never stalls.
    this.channel.stderr.on("data", () => undefined);
    this.channel.on("close", () => this.finish(false));
    this.channel.end();
  }

  private readonly onClientClose = (): void => {
    this.end();
    const message = `${this.target.name}: connection lost in a batch`;
    this.settle.reject(new RemoteError("disconnected", message, true));
  };

  private watchStep(index: number, timeoutMs: number): void {
    clearTimeout(this.stepTimer);
    this.stepTimer = setTimeout(() => {
      const why = `command ${index + 1} of the batch gave no result ${seconds(CLIENT_GRACE_MS)} after its ${seconds(timeoutMs)} timeout`;
      this.fail("timeout", why);
    }, timeoutMs + CLIENT_GRACE_MS);
  }

  private after(ms: number, then: () => void): void {
    this.timers.push(setTimeout(then, ms));
  }

  /** The batch is over: the channel closed, or every result came and the host kept it open. */
  private finish(stillOpen: boolean): void {
    if (this.end()) return;
    if (stillOpen) closeHard(this.client, this.channel);
    this.settle.resolve();
  }

  private fail(code: "timeout" | "disconnected", why: string): void {
    if (this.end()) return;
    closeHard(this.client, this.channel);
    const message = `${this.target.name}: ${why}; the connection was closed`;
    this.settle.reject(new RemoteError(code, message, false));
  }

  /** Stops every timer and listener; true when the batch had already ended. */
  private end(): boolean {
    if (this.ended) return true;
    this.ended = true;
    clearTimeout(this.stepTimer);
    this.timers.forEach((timer) => clearTimeout(timer));
    this.client.removeListener("close", this.onClientClose);
    return false;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/**
 * Ends a channel and its connection without waiting for the host: a polite close waits for the
 * server's CHANNEL_CLOSE, which a broken or hostile host never sends. KILL and CLOSE are sent
 * for a host that still listens (its `timeout` has most likely ended the command already), then
 * the socket is destroyed, so nothing the host sends afterwards is read.
 */
export function closeHard(client: Client, channel: ClientChannel): void {
  try {
    channel.signal("KILL");
    channel.close();
  } catch (error) {
    // The socket may be gone already; destroying it below is what matters.
    void error;
  }
  client.destroy();
}
