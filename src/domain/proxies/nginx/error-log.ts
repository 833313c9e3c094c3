import { HostClock } from "../../diagnosis/clock";

/**
 * nginx error log lines (Debian's nginx 1.22, `error_log /var/log/nginx/error.log;`), as nginx
 * wrote them in the lab:
 *
 *   2026/12/03 10:41:50 [error] 11179#11179: *1 connect() failed (111: Connection refused) while
 *     connecting to upstream, client: 127.0.0.1, server: , request: "GET /refused HTTP/1.1",
 *     upstream: "http://127.0.5.1:9001/refused", host: "127.0.5.1:8080"
 *
 * (one line). The message is nginx's own text up to `, client: `; everything after it (request
 * line, Host, Referer) is what a client sent, except `upstream:`, whose scheme and host:port come
 * from the configuration and whose path comes from the request. Times are the host's local time.
 * Expected command: the nginx-502 `error-log` step (the host clock line, then the warn-or-worse
 * lines of the window, read backwards with tac).
 */
export interface NginxErrorEntry {
  timeMs: number;
  level: string;
  pid: number;
  /** `111` from `(111: Connection refused)`; null when the message carries no errno. */
  errno: string | null;
  /** nginx's own words, before `, client: `. */
  message: string;
  /** scheme://host:port of the `upstream:` field (its path is the client's and is dropped). */
  upstream: string | null;
  line: string;
}

const linePattern =
  /^(?<y>\d{4})\/(?<mo>\d{2})\/(?<d>\d{2}) (?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2}) \[(?<level>[a-z]+)\] (?<pid>\d+)#\d+: (?:\*\d+ )?(?<rest>.*)$/;

/** Where nginx's own message ends and the client's fields begin. */
const CLIENT_FIELDS = ", client: ";

/**
 * The first `upstream: "scheme://host:port` after the client fields. The request line before it
 * cannot hold `, upstream: "` (nginx answers 400 to a request line with more spaces and never
 * contacts a backend), and the Host and Referer fields come after it.
 */
const upstreamField = /, upstream: "(?<url>[a-z0-9]+:\/\/[A-Za-z0-9._:[\]-]+)/;
const errnoPattern = /\((?<errno>\d+): [^)]*\)/;

export function parseNginxErrorLine(line: string, clock: HostClock | null): NginxErrorEntry | null {
  const groups = linePattern.exec(line.trimEnd())?.groups;
  if (!groups) return null;
  const rest = groups.rest ?? "";
  const cut = rest.indexOf(CLIENT_FIELDS);
  const message = cut >= 0 ? rest.slice(0, cut) : rest;
  const fields = cut >= 0 ? rest.slice(cut) : "";
  const localMs = Date.UTC(
    Number(groups.y),
    Number(groups.mo) - 1,
    Number(groups.d),
    Number(groups.h),
    Number(groups.mi),
    Number(groups.s),
  );
  return {
    timeMs: localMs - (clock?.utcOffsetMinutes ?? 0) * 60_000,
    level: groups.level ?? "",
    pid: Number(groups.pid),
    errno: errnoPattern.exec(message)?.groups?.errno ?? null,
    message,
    upstream: upstreamField.exec(fields)?.groups?.url ?? null,
    line: line.trimEnd(),
  };
}

export function parseNginxErrorLog(output: string, clock: HostClock | null): NginxErrorEntry[] {
  return output
    .split("\n")
    .map((line) => parseNginxErrorLine(line, clock))
    .filter((e): e is NginxErrorEntry => e !== null);
}
