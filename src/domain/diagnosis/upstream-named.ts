import { proxyKindList } from "../proxies/registry";
import { NameShape, nameAndPort, nameAt, namedBy } from "./name-shape";

/**
 * The upstream (host:port or name) a log or probe line talks about, so the recommendation can say
 * which backend to look at. Names are read only where the proxy, curl or nc write them from the
 * configuration: never from what a client controls. An Apache error line quotes the request's
 * URI (`… returned by /api/`) and ends with the client's `, referer: …`, and the access log
 * carries the request line, Referer and User-Agent, so a pattern run over the whole line would
 * take a name a client made up (`Referer: http://x/ attempt to connect to x (<!channel>)`).
 */

/** The probes' own error lines, anchored at the tool's prefix (the name is the one probed). */
const probeShapes: readonly NameShape[] = [
  [/^curl: \(\d+\) Could not resolve host: (\S+)/, nameAt(1)],
  [/^curl: \(\d+\) Failed to connect to (\S+) port (\d+)/, nameAndPort(1, 2)],
  [/^nc: getaddrinfo for host "([^"]+)"/, nameAt(1)],
  [/^nc: connect to (\S+)(?: \([^)]*\))? port (\d+) \(tcp\)/, nameAndPort(1, 2)],
];

/** The upstream one line names: a proxy's own message (each kind reads its own), or a probe's. */
export function upstreamNamedIn(line: string): string | null {
  for (const kind of proxyKindList) {
    const name = kind.upstreamNamedIn(line);
    if (name) return name;
  }
  for (const shape of probeShapes) {
    const name = namedBy(shape, line.trim());
    if (name) return name;
  }
  return null;
}

export function upstreamsNamedIn(lines: readonly string[]): string[] {
  const names = lines.map(upstreamNamedIn).filter((n): n is string => n !== null);
  return [...new Set(names)];
}
