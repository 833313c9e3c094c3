/** What a subcommand may touch of the outside world, so tests can run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

/** A subcommand: arguments after its name in, exit status out. */
export type Subcommand = (args: string[], io: CliIo) => Promise<number>;

export const EXIT_OK = 0;
/** `run`: a step could not run; `validate`: problems found. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  readonly code = "usage";
  readonly retryable = false;
}
