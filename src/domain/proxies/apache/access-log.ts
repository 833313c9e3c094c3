import { AccessLogEntry, accessLogTime, parseLines } from "../../diagnosis/access-log";

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
const linePattern =
  /^\S+ \S+ .*?\[(?<day>\d{2})\/(?<mon>[A-Z][a-z]{2})\/(?<year>\d{4}):(?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) (?<sign>[+-])(?<oh>\d{2})(?<om>\d{2})\] "(?<request>[^"]*)" (?<status>\d{3}) \S+(?: "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")?(?: (?<duration>\d+))?\s*$/;

export function parseAccessLogLine(line: string): AccessLogEntry | null {
  const groups = linePattern.exec(line.trimEnd())?.groups;
  if (!groups) return null;
  const timeMs = accessLogTime(groups);
  if (timeMs === null) return null;
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

export function parseAccessLog(output: string): AccessLogEntry[] {
  return parseLines(output, parseAccessLogLine);
}
