import { parseErrorLogLine } from "./parsers/error-log";

/**
 * The upstream (host:port or name) a log or probe line talks about, so the recommendation can say
 * which backend to look at. Names are read only where Apache, curl or nc write them from the
 * configuration: never from what a client controls. An Apache error line quotes the request's
 * URI (`… returned by /api/`) and ends with the client's `, referer: …`, and the access log
 * carries the request line, Referer and User-Agent, so a pattern run over the whole line would
 * take a name a client made up (`Referer: http://x/ attempt to connect to x (<!channel>)`).
 */

type Shape = readonly [pattern: RegExp, name: (match: RegExpExecArray) => string | undefined];

const nameAt = (i: number) => (m: RegExpExecArray) => m[i];
const nameAndPort = (name: number, port: number) => (m: RegExpExecArray) =>
  m[name] && m[port] ? `${m[name]}:${m[port]}` : undefined;

/**
 * Apache 2.4's own messages that name the backend, by code, anchored at the start of the message
 * (after Apache's `[client …]` field) and ending before the URI or anything later. Verbatim shapes
 * from test/fixtures/apache (test/lab/README.md, "What real Apache writes").
 */
const apacheShapes: Readonly<Record<string, Shape>> = {
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

/** The probes' own error lines, anchored at the tool's prefix (the name is the one probed). */
const probeShapes: readonly Shape[] = [
  [/^curl: \(\d+\) Could not resolve host: (\S+)/, nameAt(1)],
  [/^curl: \(\d+\) Failed to connect to (\S+) port (\d+)/, nameAndPort(1, 2)],
  [/^nc: getaddrinfo for host "([^"]+)"/, nameAt(1)],
  [/^nc: connect to (\S+)(?: \([^)]*\))? port (\d+) \(tcp\)/, nameAndPort(1, 2)],
];

export function upstreamNamedIn(line: string): string | null {
  const entry = parseErrorLogLine(line, null);
  if (entry) {
    const shape = entry.code ? apacheShapes[entry.code] : undefined;
    return shape ? named(shape, entry.message) : null;
  }
  for (const shape of probeShapes) {
    const name = named(shape, line.trim());
    if (name) return name;
  }
  return null;
}

function named([pattern, name]: Shape, text: string): string | null {
  const match = pattern.exec(text);
  return (match && name(match)) || null;
}

export function upstreamsNamedIn(lines: readonly string[]): string[] {
  const names = lines.map(upstreamNamedIn).filter((n): n is string => n !== null);
  return [...new Set(names)];
}
