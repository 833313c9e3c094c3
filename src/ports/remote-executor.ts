import type { HostTarget } from "../domain/inventory";

/**
 * How the engine reaches a proxy host. The SSH adapter implements it with node-ssh; tests may use
 * an in-memory fake. Failures to connect are thrown as RemoteError; a command that runs and exits
 * non-zero is a normal CommandOutcome. A host's connection settings are the inventory's HostTarget.
 */
export type { HostTarget };

export interface CommandRequest {
  /** A complete, already-quoted shell command built from a playbook template. */
  command: string;
  /** The command is ended on the host when this runs out. */
  timeoutMs: number;
  /** stdout and stderr are each cut at this size, with a visible marker. */
  maxOutputBytes: number;
}

export interface CommandOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

/** What a batch reports as the host works through it, in request order. */
export interface BatchEvents {
  started(index: number): void;
  finished(index: number, outcome: CommandOutcome): void;
}

export interface RemoteSession {
  run(request: CommandRequest): Promise<CommandOutcome>;
  /**
   * Optional: runs the requests in order as one unit of work on the host (one SSH channel), each
   * with its own timeout, exit code and output caps, reporting each as it starts and ends.
   * Resolves when the batch is over; a request never reported finished did not run to an end
   * (the caller may run it alone). Rejects like `run` when the connection is lost.
   */
  runBatch?(requests: readonly CommandRequest[], events: BatchEvents): Promise<void>;
  close(): Promise<void>;
}

export type RemoteErrorCode =
  "unreachable" | "auth" | "host-key-unknown" | "host-key-mismatch" | "timeout" | "disconnected";

export class RemoteError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "RemoteError";
  }
}

export interface RemoteExecutor {
  /** Opens (or reuses) one connection to the host; its steps run over it in order. */
  connect(target: HostTarget, options: { timeoutMs: number }): Promise<RemoteSession>;
}
