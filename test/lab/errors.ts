/** Why the lab refused or failed; stable codes so callers (and the CLI's exit status) can branch. */
export type LabErrorCode =
  | "not-root"
  | "missing-tool"
  | "namespace-failed"
  | "no-free-block"
  | "port-taken"
  | "start-failed"
  | "start-timeout"
  | "timeout"
  | "unknown-host"
  | "unknown-mode"
  | "bad-state"
  | "lab-exists"
  | "command-failed"
  | "lab-down";

export class LabError extends Error {
  override readonly name = "LabError";

  constructor(
    readonly code: LabErrorCode,
    message: string,
  ) {
    super(message);
  }
}
