import { Signal, signal } from "../signal";

/**
 * Name resolution as the proxy host sees it (glibc NSS, the same path Apache uses). Expected command,
 * skipping IP literals (which `getent` cannot "resolve" without a reverse name):
 *
 *   h=HOST; case "$h" in *[!0-9.]*) getent hosts "$h" || echo "getent: $h not found (exit $?)";;
 *     *) echo "literal address $h";; esac
 *
 * `getent hosts NAME` prints `10.0.1.5  upstream.internal` and exits 0, or prints nothing and exits
 * 2 when the name does not resolve.
 */
export interface DnsProbe {
  resolved: boolean | null;
  addresses: string[];
  line: string | null;
}

export function parseDnsProbe(output: string, exitCode: number | null): DnsProbe {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.some((l) => l.startsWith("literal address "))) {
    return { resolved: null, addresses: [], line: null };
  }
  const answers = lines.filter((l) => /^[0-9a-f.:]+\s+\S/i.test(l));
  const notFound = lines.find((l) => /not found/.test(l));
  if (answers.length > 0 && exitCode !== 2) {
    return {
      resolved: true,
      addresses: answers.map((l) => l.split(/\s+/)[0] ?? l),
      line: answers[0] ?? null,
    };
  }
  if (exitCode === 2 || notFound) {
    return {
      resolved: false,
      addresses: [],
      line: notFound ?? "getent hosts: name not found (exit 2)",
    };
  }
  return { resolved: null, addresses: [], line: lines[0] ?? null };
}

export function dnsProbeSignals(probe: DnsProbe, stepId: string): Signal[] {
  if (probe.resolved !== false) return [];
  return [signal("dns_failure", 0.7, `probe:${stepId}`, probe.line ?? "name not found")];
}
