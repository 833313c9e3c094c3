import { Signal, signal } from "../../diagnosis/signal";

/**
 * `nginx -t` (expected command: `nginx -t 2>&1`). Healthy, exit 0:
 *
 *   nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
 *   nginx: configuration file /etc/nginx/nginx.conf test is successful
 *
 * Broken, exit 1: the error (`nginx: [emerg] …`, or in the error log's own format when the config
 * names an error_log), then `nginx: configuration file /etc/nginx/nginx.conf test failed`:
 *
 *   2026/12/03 10:42:51 [emerg] 14221#14221: unknown directive "proxy_read_timeot" in …:8
 *   2026/12/03 10:42:51 [emerg] 14224#14224: host not found in upstream "nosuch.invalid:9001" in …:9
 */
export interface NginxConfigTest {
  ok: boolean | null;
  errors: string[];
}

const problem = /\[(emerg|alert|crit)\] /;

export function parseNginxConfigTest(output: string, exitCode: number | null): NginxConfigTest {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const errors = lines.filter((l) => problem.test(l));
  const failed = lines.some((l) => /test failed$/.test(l)) || errors.length > 0;
  const passed = lines.some((l) => /test is successful$/.test(l));
  if (failed || (exitCode !== null && exitCode !== 0 && !passed)) {
    const fallback = lines.find((l) => l.trim() !== "");
    return { ok: false, errors: errors.length ? errors : fallback ? [fallback] : [] };
  }
  return { ok: passed || exitCode === 0 ? true : null, errors: [] };
}

export function nginxConfigTestSignals(test: NginxConfigTest, stepId: string): Signal[] {
  if (test.ok !== false) return [];
  const evidence = test.errors.length ? test.errors : ["nginx -t failed"];
  return evidence.slice(0, 2).flatMap((line) => {
    const found = [signal("config_invalid", 0.95, `config:${stepId}`, line)];
    // A name that does not resolve at load time fails the test: the same cause as at run time.
    if (/host not found in upstream/.test(line)) {
      found.push(signal("dns_failure", 0.6, `config-dns:${stepId}`, line));
    }
    return found;
  });
}
