import { AccessLogEntry } from "../../diagnosis/access-log";
import { HostClock, monthIndex } from "../../diagnosis/clock";

/**
 * HAProxy 2.6 log lines (Debian's haproxy, `option httplog`, through syslog into
 * /var/log/haproxy.log as rsyslog writes them), as HAProxy wrote them in the lab:
 *
 *   Dec  3 10:42:09 proxy-3 haproxy[13043]: 127.0.0.1:49168 [03/Dec/2026:10:42:09.747] lab_proxy
 *     lab_upstream/upstream 0/0/-1/-1/3006 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /api/ HTTP/1.1"
 *   Dec  3 10:42:09 proxy-3 haproxy[13043]: Server lab_upstream/upstream is DOWN, reason: Layer4
 *     connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup …
 *   Dec  3 10:42:09 proxy-3 haproxy[13043]: backend lab_upstream has no server available!
 *
 * (one line each). A traffic line is HAProxy's access and error log at once: the timers
 * TR/Tw/Tc/Tr/Ta (-1: that stage never completed) and the termination state (`SC--`: the server
 * side, at connect) say what went wrong. Everything up to the quoted request is HAProxy's own; the
 * request at the end is the client's. The accept date is the host's local time, without a zone.
 */
export interface HaproxyRequest {
  kind: "request";
  timeMs: number;
  frontend: string;
  backend: string;
  /** `<NOSRV>` when no server could be chosen (all down, or none configured). */
  server: string;
  timers: { tr: number; tw: number; tc: number; tr2: number; ta: number };
  status: number;
  /** The four characters, e.g. `SC--`, `sH--`, `PH--`. */
  termination: string;
  /** Retries (the last of actconn/feconn/beconn/srv_conn/retries). */
  retries: number;
  method: string;
  path: string;
  line: string;
}

export interface HaproxyEvent {
  kind: "event";
  timeMs: number;
  message: string;
  line: string;
}

export type HaproxyLogEntry = HaproxyRequest | HaproxyEvent;

const syslogPrefix =
  /^(?<mon>[A-Z][a-z]{2}) +(?<day>\d{1,2}) (?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) \S+ haproxy\[\d+\]: (?<message>.*)$/;

const requestPattern =
  /^\S+:\d+ \[(?<day>\d{2})\/(?<mon>[A-Z][a-z]{2})\/(?<year>\d{4}):(?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2})\.(?<ms>\d{3})\] (?<frontend>\S+) (?<backend>[^/\s]+)\/(?<server>\S+) (?<timers>-?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+) (?<status>-?\d+) \+?\d+ \S+ \S+ (?<termination>[A-Za-z-]{4}) \d+\/\d+\/\d+\/\d+\/\+?(?<retries>\d+) \d+\/\d+(?: \{[^}]*\})*(?: "(?<request>.*)")?$/;

function localTime(
  clock: HostClock | null,
  parts: { year: number; month: number; day: number; hh: number; mm: number; ss: number },
  ms = 0,
): number {
  const local = Date.UTC(parts.year, parts.month, parts.day, parts.hh, parts.mm, parts.ss, ms);
  return local - (clock?.utcOffsetMinutes ?? 0) * 60_000;
}

/** Syslog dates have no year: the host clock's, or last year's for a date after the clock's. */
function syslogYear(clock: HostClock | null, month: number): number {
  const now = new Date(clock?.nowMs ?? Date.now());
  return month > now.getUTCMonth() ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
}

function parseRequest(
  message: string,
  clock: HostClock | null,
  line: string,
): HaproxyRequest | null {
  const g = requestPattern.exec(message)?.groups;
  if (!g) return null;
  const month = monthIndex[g.mon ?? ""];
  if (month === undefined) return null;
  const [tr = -1, tw = -1, tc = -1, tr2 = -1, ta = -1] = (g.timers ?? "")
    .split("/")
    .map((t) => Number(t.replace("+", "")));
  const [method = "", target = ""] = (g.request ?? "").split(" ");
  const parts = {
    year: Number(g.year),
    month,
    day: Number(g.day),
    hh: Number(g.hh),
    mm: Number(g.mm),
    ss: Number(g.ss),
  };
  return {
    kind: "request",
    timeMs: localTime(clock, parts, Number(g.ms)),
    frontend: g.frontend ?? "",
    backend: g.backend ?? "",
    server: g.server ?? "",
    timers: { tr, tw, tc, tr2, ta },
    status: Number(g.status),
    termination: g.termination ?? "----",
    retries: Number(g.retries),
    method,
    // Query strings carry ids and tokens: the path alone groups failures and leaks nothing.
    path: target.split("?")[0] ?? target,
    line,
  };
}

export function parseHaproxyLogLine(raw: string, clock: HostClock | null): HaproxyLogEntry | null {
  const line = raw.trimEnd();
  const prefix = syslogPrefix.exec(line)?.groups;
  const message = prefix?.message ?? line;
  const request = parseRequest(message, clock, line);
  if (request || !prefix) return request;
  const month = monthIndex[prefix.mon ?? ""];
  if (month === undefined) return null;
  const parts = {
    year: syslogYear(clock, month),
    month,
    day: Number(prefix.day),
    hh: Number(prefix.hh),
    mm: Number(prefix.mm),
    ss: Number(prefix.ss),
  };
  return { kind: "event", timeMs: localTime(clock, parts), message, line };
}

export function parseHaproxyLog(output: string, clock: HostClock | null): HaproxyLogEntry[] {
  return output
    .split("\n")
    .map((line) => parseHaproxyLogLine(line, clock))
    .filter((e): e is HaproxyLogEntry => e !== null);
}

/** A request line as the access log summary reads it (Ta, the total active time, as duration). */
export function asAccessEntry(request: HaproxyRequest): AccessLogEntry {
  return {
    timeMs: request.timeMs,
    method: request.method,
    path: request.path,
    status: request.status,
    durationUs: request.timers.ta >= 0 ? request.timers.ta * 1000 : null,
    line: request.line,
  };
}
