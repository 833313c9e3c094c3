import { Signal, signal } from "../../diagnosis/signal";

/**
 * `haproxy -c -f /etc/haproxy/haproxy.cfg` (expected command: the same with `2>&1`). Healthy,
 * exit 0: `Configuration file is valid`. Broken, exit 1, as HAProxy 2.6 wrote it in the lab:
 *
 *   [NOTICE]   (14226) : haproxy version is 2.6.12-1+deb12u4
 *   [ALERT]    (14226) : config : parsing [bad.cfg:12] : unknown keyword 'timout' in 'defaults' …
 *   [ALERT]    (14226) : config : Error(s) found in configuration file : bad.cfg
 *   [ALERT]    (14226) : config : Fatal errors found in configuration.
 *
 * and for a server name that does not resolve at start-up:
 *
 *   [ALERT]    (14229) : config : [dns.cfg:24] : 'server refused/s1' : could not resolve address
 *     'nosuch.invalid'.
 */
export interface HaproxyConfigTest {
  ok: boolean | null;
  errors: string[];
}

const alert = /^\[ALERT\] +\(\d+\) : /;
/** The summary lines HAProxy adds after the real errors. */
const summary = /(Error\(s\) found in configuration file|Fatal errors found in configuration)/;

export function parseHaproxyConfigTest(output: string, exitCode: number | null): HaproxyConfigTest {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const alerts = lines.filter((l) => alert.test(l));
  const errors = alerts.filter((l) => !summary.test(l));
  const passed = lines.some((l) => l.trim() === "Configuration file is valid");
  if (alerts.length > 0 || (exitCode !== null && exitCode !== 0 && !passed)) {
    const fallback = lines.find((l) => l.trim() !== "" && !/^\[NOTICE\]/.test(l));
    return {
      ok: false,
      errors: errors.length ? errors : alerts.length ? alerts : fallback ? [fallback] : [],
    };
  }
  return { ok: passed || exitCode === 0 ? true : null, errors: [] };
}

export function haproxyConfigTestSignals(test: HaproxyConfigTest, stepId: string): Signal[] {
  if (test.ok !== false) return [];
  const evidence = test.errors.length ? test.errors : ["haproxy -c failed"];
  return evidence.slice(0, 2).flatMap((line) => {
    const found = [signal("config_invalid", 0.95, `config:${stepId}`, line)];
    if (/could not resolve address/.test(line)) {
      found.push(signal("dns_failure", 0.6, `config-dns:${stepId}`, line));
    }
    return found;
  });
}
