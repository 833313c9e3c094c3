import { monthIndex } from "../clock";

/**
 * Access log lines in the lab's format, combined + `%D` (response time in microseconds):
 *
 *   127.0.0.1 - - [22/Nov/2026:22:12:12 +0000] "GET /hang HTTP/1.1" 502 559 "-" "curl/7.88.1" 2001785
 *
 * Plain combined lines (no `%D`) are read too, without response times. Expected command: the
 * playbook's `access-log` step: the host clock, then the newest lines of the last N minutes, read
 * backwards with `tac` and stopped at the first older line, at most a few thousand of them:
 *
 *   date '+clock: %s %z'; tac ACCESS_LOG | awk -v c=CUTOFF '…' | head -n 3000
 */
export interface AccessLogEntry {
  timeMs: number;
  method: string;
  path: string;
  status: number;
  /** Microseconds (`%D`), when the format has it. */
  durationUs: number | null;
  line: string;
}

const linePattern =
  /^\S+ \S+ .*?\[(?<day>\d{2})\/(?<mon>[A-Z][a-z]{2})\/(?<year>\d{4}):(?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) (?<sign>[+-])(?<oh>\d{2})(?<om>\d{2})\] "(?<request>[^"]*)" (?<status>\d{3}) \S+(?: "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")?(?: (?<duration>\d+))?\s*$/;

export function parseAccessLogLine(line: string): AccessLogEntry | null {
  const groups = linePattern.exec(line.trimEnd())?.groups;
  if (!groups) return null;
  const month = monthIndex[groups.mon ?? ""];
  if (month === undefined) return null;
  const offsetMinutes =
    (Number(groups.oh) * 60 + Number(groups.om)) * (groups.sign === "-" ? -1 : 1);
  const timeMs =
    Date.UTC(
      Number(groups.year),
      month,
      Number(groups.day),
      Number(groups.hh),
      Number(groups.mm),
      Number(groups.ss),
    ) -
    offsetMinutes * 60_000;
  const [method = "", target = ""] = (groups.request ?? "").split(" ");
  return {
    timeMs,
    method,
    // Query strings carry ids and tokens: the path alone groups failures and leaks nothing.
    path: target.split("?")[0] ?? target,
    status: Number(groups.status),
    durationUs: groups.duration === undefined ? null : Number(groups.duration),
    line: line.trimEnd(),
  };
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

export function parseAccessLog(output: string): AccessLogEntry[] {
  return output
    .split("\n")
    .map(parseAccessLogLine)
    .filter((e): e is AccessLogEntry => e !== null);
}
