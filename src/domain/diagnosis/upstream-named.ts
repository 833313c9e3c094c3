/**
 * The upstream (host:port or name) a log or probe line talks about, so the recommendation can say
 * which backend to look at. Shapes from Apache's messages, curl and nc.
 */
const shapes: readonly RegExp[] = [
  // AH00957 names the address, then the name the config uses: prefer the name.
  /attempt to connect to \S+ \(([^)]+)\)/,
  /remote server (\S+:\d+)/,
  /DNS lookup failure for: (\S+)/,
  /Could not resolve host: (\S+)/,
  /getaddrinfo for host "([^"]+)"/,
];
/** Name and port in separate places: `failed to 10.0.1.5:8080 (backend.internal)`, curl, nc. */
const nameAndPort: readonly [RegExp, number, number][] = [
  [/failed to \S+:(\d+) \(([^)]+)\)/, 2, 1],
  [/Failed to connect to (\S+) port (\d+)/, 1, 2],
  [/connect to (\S+)(?: \([^)]*\))? port (\d+) \(tcp\)/, 1, 2],
];

export function upstreamNamedIn(line: string): string | null {
  for (const shape of shapes) {
    const found = shape.exec(line)?.[1];
    if (found) return found;
  }
  for (const [shape, nameAt, portAt] of nameAndPort) {
    const match = shape.exec(line);
    const name = match?.[nameAt];
    const port = match?.[portAt];
    if (name && port) return `${name}:${port}`;
  }
  return null;
}

export function upstreamsNamedIn(lines: readonly string[]): string[] {
  const names = lines.map(upstreamNamedIn).filter((n): n is string => n !== null);
  return [...new Set(names)];
}
