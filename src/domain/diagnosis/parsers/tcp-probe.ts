import { Signal, signal } from "../signal";

/**
 * A TCP connect test from the proxy host, netcat-openbsd. Expected command:
 *
 *   nc -z -v -w N HOST PORT
 *
 * It writes to stderr `Connection to 10.0.1.5 8080 port [tcp/*] succeeded!` (exit 0), or
 * `nc: connect to 10.0.1.5 port 8080 (tcp) failed: Connection refused`, `… (tcp) timed out: …`,
 * `nc: getaddrinfo for host "name" port 80: Name or service not known` (exit 1).
 */
export type TcpProbeResult =
  "open" | "refused" | "timeout" | "unresolved" | "unreachable" | "unknown";

export interface TcpProbe {
  result: TcpProbeResult;
  line: string | null;
}

const patterns: readonly [RegExp, TcpProbeResult][] = [
  [/^Connection to .* succeeded!.*$/m, "open"],
  [/^nc: connect to .* failed: Connection refused.*$/m, "refused"],
  [/^nc: connect to .* timed out.*$/m, "timeout"],
  [/^nc: getaddrinfo.*$/m, "unresolved"],
  [/^nc: connect to .* failed: (?:No route to host|Network is unreachable).*$/m, "unreachable"],
];

export function parseTcpProbe(output: string, exitCode: number | null): TcpProbe {
  for (const [pattern, result] of patterns) {
    const match = pattern.exec(output);
    if (match) return { result, line: match[0].trim() };
  }
  return {
    result: exitCode === 0 ? "open" : "unknown",
    line: output.trim().split("\n")[0] || null,
  };
}

export function tcpProbeSignals(probe: TcpProbe, stepId: string): Signal[] {
  const source = `probe:${stepId}`;
  const line = probe.line ?? "";
  switch (probe.result) {
    case "refused":
      return [signal("upstream_refused", 0.6, source, line)];
    // A connect that times out is a dropped SYN: a firewall or a dead host, not a slow app.
    case "timeout":
    case "unreachable":
      return [signal("upstream_timeout", 0.3, source, line)];
    case "unresolved":
      return [signal("dns_failure", 0.5, source, line)];
    default:
      return [];
  }
}
