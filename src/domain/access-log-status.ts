import { monthIndex } from "./diagnosis/clock";

/**
 * The time and status of each access-log line, and nothing else: what the incident page's 5xx
 * chart needs from tens of thousands of lines on every render. Same lines as the diagnosis's
 * access-log parser reads (combined format, `%D` or not), found by position rather than by one
 * pattern over the whole line, and with each distinct minute converted to a time once.
 *
 *   127.0.0.1 - - [22/Nov/2026:22:12:12 +0000] "GET /hang HTTP/1.1" 502 559 "-" "curl/7.88.1" 2001785
 */
export interface LineStatus {
  timeMs: number;
  status: number;
}

const MONTHS = monthIndex;

const MINUTE = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2})$/;
const QUOTE = 34;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const DOT = 46;

/**
 * Calls `visit` with the time and status of each access-log line of `output`, in order; lines
 * of another shape are skipped. `times` remembers converted minutes across calls.
 */
export function scanStatuses(
  output: string,
  times: Map<string, number>,
  visit: (timeMs: number, status: number) => void,
): void {
  let lineStart = 0;
  while (lineStart < output.length) {
    let lineEnd = output.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = output.length;
    const found = statusAt(output, lineStart, lineEnd, times);
    if (found !== null) visit(found.timeMs, found.status);
    lineStart = lineEnd + 1;
  }
}

/** One line's time and status (see scanStatuses), or null. */
export function lineStatus(line: string, times: Map<string, number>): LineStatus | null {
  return statusAt(line, 0, line.length, times);
}

function statusAt(
  text: string,
  from: number,
  to: number,
  times: Map<string, number>,
): LineStatus | null {
  // A one-character search: V8 finds it many times faster than the two characters " [".
  let open = text.indexOf("[", from) - 1;
  // HAProxy's lines through syslog start with `haproxy[PID]:`; the request's date is the next one.
  if (open >= from && text.charCodeAt(open) !== 32) open = text.indexOf("[", open + 2) - 1;
  if (open < from || open + 31 > to || text.charCodeAt(open) !== 32) return null;
  if (text.charCodeAt(open + 26) === CLOSE_BRACKET && text.charCodeAt(open + 22) === DOT) {
    return haproxyStatus(text.slice(open, to), times);
  }
  if (text.charCodeAt(open + 28) !== CLOSE_BRACKET) return null;
  if (text.charCodeAt(open + 30) !== QUOTE) return null;
  // Lines come about one a second: each minute is converted once, seconds and zone added.
  const minute = text.slice(open + 2, open + 19);
  let minuteMs = times.get(minute);
  if (minuteMs === undefined) {
    const parsed = minuteTime(minute);
    if (parsed === null) return null;
    minuteMs = parsed;
    times.set(minute, minuteMs);
  }
  const seconds = twoDigits(text, open + 20, 5);
  const offset = zoneMinutes(text, open + 23);
  if (seconds === null || offset === null) return null;
  const timeMs = minuteMs + seconds * 1000 - offset * 60_000;
  // The request ends at the first quote Apache did not escape (it writes a quote in it as \").
  let close = open + 30;
  do close = text.indexOf('"', close + 1);
  while (close > 0 && close < to && text.charCodeAt(close - 1) === BACKSLASH);
  if (close < 0 || close + 5 >= to || text.charCodeAt(close + 1) !== 32) return null;
  const status = statusDigits(text, close + 2);
  return status === null ? null : { timeMs, status };
}

/**
 * HAProxy's request lines (option httplog) carry the accept date with milliseconds and no zone,
 * then frontend, backend/server, the timers and the status:
 *
 *   … haproxy[13043]: 127.0.0.1:49168 [03/Dec/2026:10:42:09.747] f app/s1 0/0/-1/-1/3006 503 217 …
 *
 * The date is the host's local time; like the log's own syslog prefix it is read as written.
 */
const HAPROXY_REQUEST =
  /^ \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}):(\d{2})\.\d{3}\] \S+ \S+ -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+ (\d{3}) /;

function haproxyStatus(fromBracket: string, times: Map<string, number>): LineStatus | null {
  const m = HAPROXY_REQUEST.exec(fromBracket);
  if (!m) return null;
  const minute = m[1] ?? "";
  let minuteMs = times.get(minute);
  if (minuteMs === undefined) {
    const parsed = minuteTime(minute);
    if (parsed === null) return null;
    minuteMs = parsed;
    times.set(minute, minuteMs);
  }
  return { timeMs: minuteMs + Number(m[2]) * 1000, status: Number(m[3]) };
}

function twoDigits(text: string, at: number, maxTens: number): number | null {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  if (tens < 0 || tens > maxTens || ones < 0 || ones > 9) return null;
  return tens * 10 + ones;
}

function statusDigits(text: string, at: number): number | null {
  let status = 0;
  for (let i = at; i < at + 3; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    status = status * 10 + digit;
  }
  return text.charCodeAt(at + 3) === 32 ? status : null;
}

/** `22/Nov/2026:22:35` as UTC milliseconds (the zone is applied per line). */
function minuteTime(minute: string): number | null {
  const m = MINUTE.exec(minute);
  const month = m ? MONTHS[m[2] ?? ""] : undefined;
  if (!m || month === undefined) return null;
  return Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]));
}

/** `+0100` → 60, `-0530` → -330. */
function zoneMinutes(text: string, at: number): number | null {
  const sign = text.charCodeAt(at);
  const hours = twoDigits(text, at + 1, 9);
  const minutes = twoDigits(text, at + 3, 5);
  if ((sign !== 43 && sign !== 45) || hours === null || minutes === null) return null;
  return (hours * 60 + minutes) * (sign === 45 ? -1 : 1);
}

/** Requests and 5xx answers in one minute of an access log (`at`: the minute's start, UTC). */
export interface MinuteCount {
  at: number;
  requests: number;
  errors: number;
}

const MINUTE_MS = 60_000;

/**
 * The requests per minute an output's access-log lines show, oldest first; empty when the output
 * has no such line (an error log, a probe). Recorded with the step's result, so the page draws the
 * 5xx rate from these counts instead of reading every line again on every view.
 */
export function requestsPerMinute(output: string): MinuteCount[] {
  const minutes = new Map<number, MinuteCount>();
  scanStatuses(output, new Map(), (timeMs, status) => {
    const at = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    let count = minutes.get(at);
    if (!count) minutes.set(at, (count = { at, requests: 0, errors: 0 }));
    count.requests += 1;
    if (status >= 500) count.errors += 1;
  });
  return [...minutes.values()].sort((a, b) => a.at - b.at);
}
