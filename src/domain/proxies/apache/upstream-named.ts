import { NameShape, nameAndPort, nameAt, namedBy } from "../../diagnosis/name-shape";
import { parseErrorLogLine } from "./error-log";

/**
 * Apache 2.4's own messages that name the backend, by code, anchored at the start of the message
 * (after Apache's `[client …]` field) and ending before the URI or anything later. Verbatim shapes
 * from test/fixtures/apache (test/lab/README.md, "What real Apache writes").
 */
const apacheShapes: Readonly<Record<string, NameShape>> = {
  // `http: attempt to connect to 127.0.3.1:9000 (upstream.proxy-1.lab:9000) failed`: the name
  // the config uses is in brackets; prefer it to the address.
  AH00957: [/^\w+: attempt to connect to \S+ \(([^()\s]+)\) failed$/, nameAt(1)],
  // `error reading status line from remote server upstream.proxy-1.lab:9000`
  AH01102: [/^error reading status line from remote server (\S+:\d+)$/, nameAt(1)],
  // `DNS lookup failure for: upstream.proxy-1.lab returned by /api/` (the URI is the client's)
  AH00898: [/^DNS lookup failure for: (\S+) returned by /, nameAt(1)],
  // `pass request body failed to 127.0.3.1:9000 (upstream.proxy-1.lab)` (AH01097 adds `from …`)
  AH01084: [/^pass request body failed to \S+:(\d+) \(([^()\s]+)\)/, nameAndPort(2, 1)],
  AH01097: [/^pass request body failed to \S+:(\d+) \(([^()\s]+)\)/, nameAndPort(2, 1)],
};

/**
 * The backend an Apache error log line names. Only Apache's own message text counts: the line
 * also quotes the request's URI and ends with the client's `, referer: …`, which a client controls.
 */
export function apacheUpstreamNamedIn(line: string): string | null {
  const entry = parseErrorLogLine(line, null);
  const shape = entry?.code ? apacheShapes[entry.code] : undefined;
  return entry && shape ? namedBy(shape, entry.message) : null;
}
