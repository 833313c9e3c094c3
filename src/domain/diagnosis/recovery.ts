import { HostEvidence } from "./evidence";
import { Signal } from "./signal";

/** Answers after the last error that show clients are served again. */
const MIN_GOOD_ANSWERS = 3;
/** …over at least this much traffic time, so a lucky burst between failures does not count. */
const MIN_QUIET_MS = 60_000;

/**
 * After a fix the window still holds the errors from before it. The host has recovered when the
 * causes rest on log lines only (no probe fails now), the upstream probe answers, and after the
 * newest proxy error clients got at least a few answers, none of them 5xx, over at least a minute.
 * Returns the time of that newest error (host clock), or null when the host has not recovered.
 */
export function recoveredSince(evidence: HostEvidence, traffic: readonly Signal[]): number | null {
  if (!evidence.upstreamAnswered || evidence.upstreamFailed) return null;
  if (traffic.length === 0 || traffic.some((s) => s.atMs === undefined)) return null;
  const times = [
    ...traffic.map((s) => s.atMs ?? 0),
    ...evidence.unexplainedErrors.map((e) => e.atMs),
  ];
  const lastError = Math.max(...times);
  const after = evidence.accessEntries.filter((e) => e.timeMs > lastError);
  if (after.length < MIN_GOOD_ANSWERS || after.some((e) => e.status >= 500)) return null;
  const lastAnswer = Math.max(...after.map((e) => e.timeMs));
  return lastAnswer - lastError >= MIN_QUIET_MS ? lastError : null;
}
