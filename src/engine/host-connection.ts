import type {
  BatchEvents,
  CommandOutcome,
  CommandRequest,
  HostTarget,
  RemoteExecutor,
  RemoteSession,
} from "../ports/remote-executor";
import { RemoteError } from "../ports/remote-executor";
import { CANNOT_REACH } from "../domain/step-result";

/** The engine's limits, with the defaults used when a caller gives none. */
export interface EngineOptions {
  connectTimeoutMs?: number;
  /** Per stream (stdout, stderr) of each command. */
  maxOutputBytes?: number;
  /** For steps without a `timeout`. */
  defaultStepTimeoutMs?: number;
  nowMs?(): number;
  sleep?(ms: number): Promise<void>;
}

export const engineDefaults = {
  connectTimeoutMs: 10_000,
  maxOutputBytes: 64 * 1024,
  defaultStepTimeoutMs: 30_000,
  // Hosts at once. A host holds one connection and one channel while its batch runs, and most of
  // its time is the host's own work, so more hosts in flight cost the client little (fan-out
  // bench: 30 at once beat two waves of 16).
  concurrency: 32,
} as const;

/** Every step of a host that could not be reached carries a reason starting with this. */

/** How a batch went: `lost` means the connection broke during it (it is dropped, not reused). */
export type BatchAttempt =
  { kind: "unsupported" | "unreachable" | "done" } | { kind: "lost"; reason: string };

export type CommandAttempt =
  | { ran: true; outcome: CommandOutcome }
  | { ran: false; reason: string; exitCode: number | null; durationMs: number };

/**
 * One host's connection, opened on first use and reused by its later steps. A failed connect is
 * remembered so the host's remaining steps fail at once with the same reason instead of each
 * waiting for its own connect timeout; a connection lost mid-step is reopened once.
 */
export class HostConnection {
  private session: RemoteSession | null = null;
  private opening: Promise<RemoteSession | null> | null = null;
  private failure: string | null = null;
  private everConnected = false;

  constructor(
    private readonly executor: RemoteExecutor,
    private readonly target: HostTarget,
    private readonly connectTimeoutMs: number,
  ) {}

  get reachable(): boolean {
    return this.everConnected;
  }

  async run(command: string, timeoutMs: number, maxOutputBytes: number): Promise<CommandAttempt> {
    const started = Date.now();
    const session = await this.open();
    if (!session) {
      return { ran: false, reason: this.failure ?? "", exitCode: null, durationMs: 0 };
    }
    try {
      const outcome = await session.run({ command, timeoutMs, maxOutputBytes });
      return { ran: true, outcome };
    } catch (error) {
      await this.drop();
      const reason = `connection lost while running: ${describe(error)}`;
      return { ran: false, reason, exitCode: null, durationMs: Date.now() - started };
    }
  }

  /**
   * Runs commands as one batch when the session can (see RemoteSession.runBatch). Steps it did
   * not report finished are the caller's to run one by one, which also covers `unsupported` and
   * `unreachable` (the remembered connect failure then answers each step at once).
   */
  async runBatch(requests: readonly CommandRequest[], events: BatchEvents): Promise<BatchAttempt> {
    const session = await this.open();
    if (!session) return { kind: "unreachable" };
    if (!session.runBatch) return { kind: "unsupported" };
    try {
      await session.runBatch(requests, events);
      return { kind: "done" };
    } catch (error) {
      await this.drop();
      return { kind: "lost", reason: `connection lost while running: ${describe(error)}` };
    }
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private open(): Promise<RemoteSession | null> {
    if (this.session) return Promise.resolve(this.session);
    if (this.failure) return Promise.resolve(null);
    // One handshake even if two callers ask while it is under way.
    this.opening ??= this.connect().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async connect(): Promise<RemoteSession | null> {
    try {
      this.session = await this.executor.connect(this.target, { timeoutMs: this.connectTimeoutMs });
      this.everConnected = true;
      return this.session;
    } catch (error) {
      this.failure = `${CANNOT_REACH}${describe(error)}`;
      return null;
    }
  }

  private async drop(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (!session) return;
    await session.close().catch((error: unknown) => {
      // Closing a broken connection may fail too; the step result already says what went wrong.
      void error;
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof RemoteError) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}

/** What parsers and people read: stdout, then stderr (curl reports its errors there). */
export function joinOutput(outcome: CommandOutcome): string {
  if (!outcome.stderr) return outcome.stdout;
  if (!outcome.stdout) return outcome.stderr;
  return outcome.stdout.endsWith("\n")
    ? `${outcome.stdout}${outcome.stderr}`
    : `${outcome.stdout}\n${outcome.stderr}`;
}
