import { HostClock, monthIndex } from "../../diagnosis/clock";

/**
 * Apache 2.4 error log lines in the default `ErrorLogFormat` (Debian's apache2 sets none):
 *
 *   [Sun Nov 22 22:12:12.380697 2026] [proxy:error] [pid 11531:tid 11536] (111)Connection refused:
 *     AH00957: http: attempt to connect to 127.0.0.1:18089 (127.0.0.1:18089) failed
 *
 * (one line in the file). Expected command: the playbook's `error-log` step, which prints the host
 * clock and then only the warn-or-worse lines of the last N minutes, read backwards with `tac` so
 * its cost follows the window, not the file:
 *
 *   date '+clock: %s %z'; tac ERROR_LOG | awk -v c=CUTOFF '…stop at the first older line…' \
 *     | grep -E ':(warn|error|crit|alert|emerg)\]' | head -n 2000 | tac
 *
 * Any other line (the clock line, `tac: …` errors, a truncation marker) is kept as `other`.
 */
export interface ErrorLogEntry {
  /** Milliseconds since the epoch, read as the host's local time (see clock.ts). */
  timeMs: number;
  module: string;
  level: string;
  pid: number | null;
  /** `111`, `70007`, `EAI 2`… from `(111)Connection refused`. */
  errno: string | null;
  errorText: string | null;
  client: string | null;
  /** The backend of a proxy connection (mod_ssl's `[remote 10.0.1.5:8443]`). */
  remote: string | null;
  /** `AH00957`; null for the few messages without a code. */
  code: string | null;
  message: string;
  /** The line as Apache wrote it (used as evidence). */
  line: string;
}

export interface ErrorLogReport {
  entries: ErrorLogEntry[];
  /** Lines that are not error log lines and not the clock line (e.g. `tac: cannot open …`). */
  other: string[];
}

const linePattern =
  /^\[(?<time>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] \[(?<module>[^:\]]*):(?<level>[a-z0-9]+)\] \[pid (?<pid>\d+)(?::tid \d+)?\] (?:\((?<errno>[^)]+)\)(?<errorText>[^:]*): )?(?:\[client (?<client>[^\]]+)\] )?(?:\[remote (?<remote>[^\]]+)\] )?(?:(?<code>AH\d{5}): )?(?<message>.*)$/;

const timePattern =
  /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? (\d{4})$/;

/** Reads an error log time such as `Sun Nov 22 22:12:12.380697 2026` (host local time). */
export function parseErrorLogTime(text: string, utcOffsetMinutes = 0): number | null {
  const match = timePattern.exec(text);
  if (!match) return null;
  const [, mon, day, hh, mm, ss, fraction, year] = match;
  const month = monthIndex[mon ?? ""];
  if (month === undefined) return null;
  const ms = Math.floor(Number(fraction ?? "0") * 1000);
  const asUtc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss), ms);
  return asUtc - utcOffsetMinutes * 60_000;
}

/**
 * Drops Apache's `, referer: …` suffix so equal messages compare equal. From the first one: the
 * Referer is the client's and may itself contain `, referer: `; nothing Apache writes before it
 * does.
 */
function withoutReferer(message: string): string {
  const at = message.indexOf(", referer: ");
  return at >= 0 ? message.slice(0, at) : message;
}

export function parseErrorLogLine(line: string, clock: HostClock | null): ErrorLogEntry | null {
  const match = linePattern.exec(line.trimEnd());
  const groups = match?.groups;
  if (!groups) return null;
  const timeMs = parseErrorLogTime(groups.time ?? "", clock?.utcOffsetMinutes ?? 0);
  if (timeMs === null) return null;
  return {
    timeMs,
    module: groups.module ?? "",
    level: groups.level ?? "",
    pid: groups.pid ? Number(groups.pid) : null,
    errno: groups.errno ?? null,
    errorText: groups.errorText?.trim() || null,
    client: groups.client ?? null,
    remote: groups.remote ?? null,
    code: groups.code ?? null,
    message: withoutReferer(groups.message ?? ""),
    line: line.trimEnd(),
  };
}

export function parseErrorLog(output: string, clock: HostClock | null): ErrorLogReport {
  const entries: ErrorLogEntry[] = [];
  const other: string[] = [];
  for (const line of output.split("\n")) {
    if (!line.trim() || line.startsWith("clock: ")) continue;
    const entry = parseErrorLogLine(line, clock);
    if (entry) entries.push(entry);
    else other.push(line.trimEnd());
  }
  return { entries, other };
}
