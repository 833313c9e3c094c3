/**
 * The upstream (host:port or name) a log or probe line talks about, so the recommendation can say
 * which backend to look at. Shapes from Apache's messages, curl and nc.
 */
const shapes: readonly RegExp[] = [
  /attempt to connect to (\S+) \(/,
  /remote server (\S+:\d+)/,
  /DNS lookup failure for: (\S+)/,
  /failed to (\S+:\d+) \(/,
  /Could not resolve host: (\S+)/,
  /getaddrinfo for host "([^"]+)"/,
];
const withPort: readonly RegExp[] = [
  /Failed to connect to (\S+) port (\d+)/,
  /connect to (\S+) port (\d+) \(tcp\)/,
];

export function upstreamNamedIn(line: string): string | null {
  for (const shape of shapes) {
    const found = shape.exec(line)?.[1];
    if (found) return found;
  }
  for (const shape of withPort) {
    const match = shape.exec(line);
    if (match?.[1] && match[2]) return `${match[1]}:${match[2]}`;
  }
  return null;
}

export function upstreamsNamedIn(lines: readonly string[]): string[] {
  const names = lines.map(upstreamNamedIn).filter((n): n is string => n !== null);
  return [...new Set(names)];
}
