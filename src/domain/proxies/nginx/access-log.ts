import { AccessLogEntry, accessLogTime, parseLines } from "../../diagnosis/access-log";

/**
 * nginx access lines in the playbook's `proxy_timed` format, combined plus the upstream timings:
 *
 *   log_format proxy_timed '$remote_addr - $remote_user [$time_local] "$request" $status '
 *     '$body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time '
 *     'uct=$upstream_connect_time uht=$upstream_header_time urt=$upstream_response_time '
 *     'us=$upstream_status ua=$upstream_addr';
 *
 *   127.0.0.1 - - [03/Dec/2026:10:41:52 +0000] "GET /hang HTTP/1.1" 504 167 "-" "curl/7.88.1"
 *     rt=2.001 uct=0.000 uht=- urt=2.002 us=504 ua=127.0.5.1:9002
 *
 * Plain combined lines (Debian's default) are read too, without timings. Expected command: the
 * nginx-502 `access-log` step (clock line, then the window's lines read backwards with tac).
 */
const linePattern =
  /^\S+ \S+ .*?\[(?<day>\d{2})\/(?<mon>[A-Z][a-z]{2})\/(?<year>\d{4}):(?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) (?<sign>[+-])(?<oh>\d{2})(?<om>\d{2})\] "(?<request>(?:[^"\\]|\\.)*)" (?<status>\d{3}) \S+(?: "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")?(?<timings>(?: [a-z]+=\S*)*)\s*$/;

export function parseNginxAccessLine(line: string): AccessLogEntry | null {
  const groups = linePattern.exec(line.trimEnd())?.groups;
  if (!groups) return null;
  const timeMs = accessLogTime(groups);
  if (timeMs === null) return null;
  const [method = "", target = ""] = (groups.request ?? "").split(" ");
  const requestTime = /(?:^| )rt=(\d+(?:\.\d+)?)/.exec(groups.timings ?? "")?.[1];
  return {
    timeMs,
    method,
    // Query strings carry ids and tokens: the path alone groups failures and leaks nothing.
    path: target.split("?")[0] ?? target,
    status: Number(groups.status),
    durationUs: requestTime === undefined ? null : Math.round(Number(requestTime) * 1_000_000),
    line: line.trimEnd(),
  };
}

export function parseNginxAccessLog(output: string): AccessLogEntry[] {
  return parseLines(output, parseNginxAccessLine);
}
