import { KILL_AFTER_SECONDS } from "./batch-driver";

/** How much earlier than our clock the host's `timeout` may fire. */
const DEADLINE_TOLERANCE_MS = 250;
/** After this much more, the client gives up on a command even if the host never answers. */
export const CLIENT_GRACE_MS = (KILL_AFTER_SECONDS + 3) * 1000;

/**
 * Did the host's `timeout` end the command? The host's clock started a little before ours (the
 * start travels back to us), hence the tolerance; 124 is `timeout`'s status after TERM, 137
 * after KILL. A command that exits 124 by itself well before its deadline did not time out.
 */
export function isTimedOut(how: {
  exitCode: number | null;
  durationMs: number;
  timeoutMs: number;
  abandoned: boolean;
}): boolean {
  const pastDeadline = how.durationMs >= how.timeoutMs - DEADLINE_TOLERANCE_MS;
  return how.abandoned || (pastDeadline && (how.exitCode === 124 || how.exitCode === 137));
}
