import { StepStatus } from "../step-result";
import { HostClock } from "./clock";
import { AccessLogEntry, AccessLogSummary } from "./access-log";
import { Signal } from "./signal";

/** One step's result as the diagnosis reads it. */
export interface StepEvidence {
  stepId: string;
  /** The `parse:` name of the step; the registry of proxy kinds knows every reader. */
  parser: string;
  status: StepStatus;
  exitCode: number | null;
  /** stdout followed by stderr, capped (may end with a truncation marker line). */
  output: string;
}

export interface DiagnosisContext {
  windowMinutes: number;
  nowMs: number;
}

/** Everything one host's steps said, reduced to what the rules need. */
export interface HostEvidence {
  signals: Signal[];
  /** Proxy error lines in the window that no rule explains. */
  unexplainedErrors: { line: string; atMs: number }[];
  access: AccessLogSummary | null;
  /** The access log lines of the window, for "did it recover?" (see recovery.ts). */
  accessEntries: AccessLogEntry[];
  upstreamAnswered: boolean;
  upstreamFailed: boolean;
  /** Did any step that tells about traffic (logs, probes) produce output we could read? */
  sawTraffic: boolean;
  /** Service manager lines saying the upstream's service runs (src/domain/services/). */
  serviceRunning: string[];
  /** Service manager lines that tell nothing about the service (no systemd, no daemon, no cluster). */
  serviceUnknown: string[];
  /**
   * What a config step showed that means something only beside another step's evidence, by name
   * (e.g. `haproxy-server-ssl` → the server line): a proxy kind's `refine` reads them.
   */
  facts: Map<string, string>;
}

/**
 * Reads one kind of step output into the host's evidence. Each proxy kind brings readers for its
 * own logs and tools (src/domain/proxies/); the probes every kind shares are in shared-readers.ts.
 */
export type EvidenceReader = (
  step: StepEvidence,
  context: DiagnosisContext,
  into: HostEvidence,
) => void;

export function emptyEvidence(): HostEvidence {
  return {
    signals: [],
    unexplainedErrors: [],
    access: null,
    accessEntries: [],
    upstreamAnswered: false,
    upstreamFailed: false,
    sawTraffic: false,
    serviceRunning: [],
    serviceUnknown: [],
    facts: new Map(),
  };
}

/** A day beyond the window: no time zone puts a host's clock further from ours. */
const STALE_MS = 24 * 60 * 60_000;

/**
 * The window is measured on the host's clock (the `clock:` line the step printed). Without it the
 * newest line stands in for "now", unless even that is older than any time zone could explain, in
 * which case our own clock decides and old lines drop out.
 */
export function windowStartFor(
  clock: HostClock | null,
  times: readonly number[],
  context: DiagnosisContext,
): number {
  const windowMs = context.windowMinutes * 60_000;
  if (clock) return clock.nowMs - windowMs;
  const newest = Math.max(...times, Number.NEGATIVE_INFINITY);
  if (newest < context.nowMs - STALE_MS - windowMs) return context.nowMs - windowMs;
  return newest - windowMs;
}

/** The entries of the window, by each entry's own time. */
export function inWindow<T extends { timeMs: number }>(
  entries: readonly T[],
  clock: HostClock | null,
  context: DiagnosisContext,
): T[] {
  const start = windowStartFor(
    clock,
    entries.map((e) => e.timeMs),
    context,
  );
  return entries.filter((e) => e.timeMs >= start);
}
