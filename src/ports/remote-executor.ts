/**
 * How the engine reaches a proxy host. The SSH adapter implements it with node-ssh; tests may use
 * an in-memory fake. Failures to connect are thrown as RemoteError; a command that runs and exits
 * non-zero is a normal CommandOutcome.
 */
export interface HostTarget {
  /** Inventory name, e.g. proxy-1. */
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
}

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

export interface RemoteSession {
  run(request: CommandRequest): Promise<CommandOutcome>;
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
