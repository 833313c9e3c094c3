import type { CommandOutcome, CommandRequest } from "../../ports/remote-executor";
import { KILL_AFTER_SECONDS, type FramedResult } from "./batch-driver";

/** How much earlier than our clock the host may end a command at its timeout. */
const DEADLINE_TOLERANCE_MS = 250;
/** After this much more, the client gives up on a command even if the host never answers. */
export const CLIENT_GRACE_MS = (KILL_AFTER_SECONDS + 3) * 1000;

/**
 * Did the host end the command at its timeout? The host's clock started a little before ours (the
 * start travels back to us), hence the tolerance; 124 is the status after TERM, 137 after KILL
 * (`timeout`'s, which the perl driver reports the same). A command that exits 124 by itself well before its deadline did not time out.
 */
export function isTimedOut(how: {
  exitCode: number | null;
  durationMs: number;
  timeoutMs: number;
}): boolean {
  const pastDeadline = how.durationMs >= how.timeoutMs - DEADLINE_TOLERANCE_MS;
  return pastDeadline && (how.exitCode === 124 || how.exitCode === 137);
}

/** How long the driver may take to start its first command (mktemp, sh start-up). */
const START_GRACE_MS = 10_000;

/**
 * The one deadline of a whole batch, fixed before it starts: every command its full timeout and
 * the client's grace, plus the driver's start. A host that runs every command to its timeout
 * still ends inside it; nothing the host sends can move it.
 */
export function batchDeadlineMs(requests: readonly CommandRequest[]): number {
  return requests.reduce(
    (sum, request) => sum + request.timeoutMs + CLIENT_GRACE_MS,
    START_GRACE_MS,
  );
}

/** A command's outcome from its result frame, timed by our clock. */
export function outcomeOfFrame(
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
    timedOut: isTimedOut({ exitCode: result.exitCode, durationMs, timeoutMs }),
    durationMs,
  };
}
