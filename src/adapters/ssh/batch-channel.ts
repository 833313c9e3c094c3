import { randomBytes } from "node:crypto";
import type { Client } from "ssh2";
import { shellQuote } from "../../domain/template";
import type {
  BatchEvents,
  CommandOutcome,
  CommandRequest,
  HostTarget,
} from "../../ports/remote-executor";
import { RemoteError } from "../../ports/remote-executor";
import { FrameParser, buildDriver, type FramedResult } from "./batch-driver";
import { CLIENT_GRACE_MS, isTimedOut } from "./timing";

/** How long the driver may take to start its first command (mktemp, sh start-up). */
const START_GRACE_MS = 10_000;

/**
 * Runs `requests` through the batch driver on one exec channel of `client`. Each command is
 * reported as its start and result frames arrive. The client keeps its own watch too: when a
 * command outlives its timeout by CLIENT_GRACE_MS (the host's `timeout` should have ended it),
 * the channel is closed and that command reported timed out; later ones are left unreported.
 */
export function runBatchOnChannel(
  client: Client,
  target: HostTarget,
  requests: readonly CommandRequest[],
  events: BatchEvents,
): Promise<void> {
  const nonce = randomBytes(16).toString("hex");
  const command = `sh -c ${shellQuote(buildDriver(requests, nonce))}`;
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(new RemoteError("disconnected", `${target.name}: ${error.message}`, true));
        return;
      }
      let current: { index: number; started: number } | null = null;
      let watchdog: NodeJS.Timeout | undefined;
      const arm = (ms: number): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(abandon, ms);
      };
      const abandon = (): void => {
        if (current) {
          const { index, started } = current;
          current = null;
          events.finished(index, abandoned(performance.now() - started));
        }
        channel.signal("KILL");
        channel.close();
      };
      const parser = new FrameParser(
        nonce,
        requests.map((request) => request.maxOutputBytes),
        {
          started: (index) => {
            current = { index, started: performance.now() };
            arm((requests[index]?.timeoutMs ?? 0) + CLIENT_GRACE_MS);
            events.started(index);
          },
          finished: (result) => {
            if (current?.index !== result.index) return;
            const durationMs = Math.round(performance.now() - current.started);
            current = null;
            arm(START_GRACE_MS);
            events.finished(result.index, outcomeOf(result, requests[result.index], durationMs));
          },
        },
      );
      const onClientClose = (): void => {
        cleanup();
        reject(new RemoteError("disconnected", `${target.name}: connection lost in a batch`, true));
      };
      const cleanup = (): void => {
        clearTimeout(watchdog);
        client.removeListener("close", onClientClose);
      };
      client.once("close", onClientClose);
      arm(START_GRACE_MS);
      channel.on("data", (chunk: Buffer) => {
        parser.push(chunk);
        if (parser.error) abandon();
      });
      // The driver writes nothing there itself; drain it so the channel window never stalls.
      channel.stderr.resume();
      channel.on("close", () => {
        cleanup();
        resolve();
      });
      channel.end();
    });
  });
}

function outcomeOf(
  result: FramedResult,
  request: CommandRequest | undefined,
  durationMs: number,
): CommandOutcome {
  const timeoutMs = request?.timeoutMs ?? 0;
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    truncated: result.truncated,
    timedOut: isTimedOut({ exitCode: result.exitCode, durationMs, timeoutMs, abandoned: false }),
    durationMs,
  };
}

function abandoned(durationMs: number): CommandOutcome {
  return {
    exitCode: null,
    stdout: "",
    stderr: "",
    truncated: false,
    timedOut: true,
    durationMs: Math.round(durationMs),
  };
}
