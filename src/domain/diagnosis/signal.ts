import { Cause } from "../cause";

/**
 * One thing a parser saw that points at a cause. `weight` is how sure that one observation makes us
 * (0..1); `source` groups observations so that independent ones (a log line AND a failing probe)
 * add up while a thousand copies of the same log line do not.
 */
export interface Signal {
  cause: Cause;
  weight: number;
  source: string;
  /** A real log or probe line, as the host printed it. */
  evidence: string;
  /** When a log line was written (host clock, ms); probes have no time of their own. */
  atMs?: number;
}

/** What the probes tell about the upstream, independent of any cause. */
export interface UpstreamHealth {
  /** An upstream probe got an answer (HTTP status below 500, or the TCP port accepted). */
  answered: boolean;
  /** A probe failed. */
  failed: boolean;
}

export const signal = (cause: Cause, weight: number, source: string, evidence: string): Signal => ({
  cause,
  weight,
  source,
  evidence,
});
