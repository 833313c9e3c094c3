import { monthIndex } from "./clock";

/**
 * An access log line as every proxy kind's reader gives it (each kind parses its own format, see
 * src/domain/proxies/KIND/access-log.ts), and the window's summary the diagnosis reads.
 */
export interface AccessLogEntry {
  timeMs: number;
  method: string;
  path: string;
  status: number;
  /** Microseconds (Apache `%D`, nginx `$request_time`, HAProxy `Tt`), when the format has it. */
  durationUs: number | null;
  line: string;
}

export interface AccessLogSummary {
  total: number;
  byStatus: Record<string, number>;
  /** Share of requests answered 502, 503 or 504 (0..1); 0 when there were none. */
  gatewayErrorRate: number;
  gatewayErrors: number;
  /** Paths with the most 5xx answers, most first. */
  topFailingPaths: { path: string; count: number }[];
  /** Response time percentiles in milliseconds, when the log has `%D`. */
  responseMs: { p50: number; p90: number; p99: number; max: number } | null;
  /** The newest few 5xx lines (evidence; DNS and TLS failures answer 500). */
  samples: string[];
}

const GATEWAY_STATUSES = new Set([502, 503, 504]);

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

export function summarizeAccessLog(entries: readonly AccessLogEntry[]): AccessLogSummary {
  const byStatus: Record<string, number> = {};
  const failing = new Map<string, number>();
  const durations: number[] = [];
  let gatewayErrors = 0;
  for (const entry of entries) {
    byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
    if (GATEWAY_STATUSES.has(entry.status)) gatewayErrors += 1;
    if (entry.status >= 500) failing.set(entry.path, (failing.get(entry.path) ?? 0) + 1);
    if (entry.durationUs !== null) durations.push(entry.durationUs / 1000);
  }
  durations.sort((a, b) => a - b);
  const newestFirst = [...entries].sort((a, b) => b.timeMs - a.timeMs);
  return {
    total: entries.length,
    byStatus,
    gatewayErrors,
    gatewayErrorRate: entries.length ? gatewayErrors / entries.length : 0,
    topFailingPaths: [...failing.entries()]
      .map(([path, count]) => ({ path, count }))
      .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path))
      .slice(0, 5),
    responseMs: durations.length
      ? {
          p50: percentile(durations, 50),
          p90: percentile(durations, 90),
          p99: percentile(durations, 99),
          max: durations[durations.length - 1] ?? 0,
        }
      : null,
    samples: newestFirst
      .filter((e) => e.status >= 500)
      .slice(0, 3)
      .map((e) => e.line),
  };
}

/** Every line one parser understands, in output order; the others (headers, clock line) drop. */
export function parseLines<T>(output: string, parseLine: (line: string) => T | null): T[] {
  return output
    .split("\n")
    .map(parseLine)
    .filter((e): e is T => e !== null);
}

/**
 * The `[03/Dec/2026:10:41:52 +0000]` time of the combined format (Apache's and nginx's), from a
 * pattern's named groups day, mon, year, hh, mm, ss, sign, oh, om; null for an unknown month.
 */
export function accessLogTime(groups: Readonly<Record<string, string | undefined>>): number | null {
  const month = monthIndex[groups.mon ?? ""];
  if (month === undefined) return null;
  const offsetMinutes =
    (Number(groups.oh) * 60 + Number(groups.om)) * (groups.sign === "-" ? -1 : 1);
  const local = Date.UTC(
    Number(groups.year),
    month,
    Number(groups.day),
    Number(groups.hh),
    Number(groups.mm),
    Number(groups.ss),
  );
  return local - offsetMinutes * 60_000;
}
