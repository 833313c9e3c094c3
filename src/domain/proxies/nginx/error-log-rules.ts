import { Cause } from "../../cause";
import { Signal, signal } from "../../diagnosis/signal";
import { NginxErrorEntry } from "./error-log";

/**
 * What an nginx error line means, from the messages nginx 1.22 (src/http/ngx_http_upstream.c,
 * ngx_event_connect.c, ngx_event_openssl.c) wrote when the lab broke an upstream that way
 * (test/lab/README.md, "What real nginx writes"). Each pattern reads nginx's own message only,
 * never the client's fields after it. The client's answer is 502, except a timeout: 504.
 */
const byMessage: readonly [RegExp, Cause, number][] = [
  // Health state: every server of the upstream block is marked failed (max_fails/fail_timeout).
  [/^no live upstreams while connecting to upstream/, "upstream_unhealthy", 0.9],
  [/^connect\(\) failed \(111: [^)]*\) while connecting to upstream/, "upstream_refused", 0.8],
  [
    /^connect\(\) failed \((113|101): [^)]*\) while connecting to upstream/,
    "upstream_refused",
    0.7,
  ],
  [/^upstream timed out \(110: [^)]*\) while connecting to upstream/, "upstream_timeout", 0.8],
  [/^upstream timed out \(110: [^)]*\) while (reading|sending)/, "upstream_timeout", 0.8],
  [/^upstream prematurely closed connection while reading/, "upstream_reset", 0.8],
  [/^recv\(\) failed \(104: [^)]*\) while reading/, "upstream_reset", 0.8],
  [
    /^(writev|send|sendfile)\(\) failed \((104|32): [^)]*\) while sending request to upstream/,
    "upstream_reset",
    0.6,
  ],
  [
    /^upstream sent (no valid HTTP\/1\.0 header|invalid header|invalid status|too big header|invalid chunked response|duplicate header)/,
    "upstream_bad_response",
    0.8,
  ],
  [
    /while SSL handshaking to upstream|^upstream SSL certificate (verify error|does not match)/,
    "backend_tls",
    0.85,
  ],
  // The name in proxy_pass (with a resolver) or in an upstream block does not resolve.
  [/could not be resolved \(\d+: [^)]*\)/, "dns_failure", 0.85],
  [/^host not found in upstream /, "dns_failure", 0.85],
  [/^no resolver defined to resolve /, "dns_failure", 0.8],
  // nginx saying it ran out of connections is as direct as Apache's MaxRequestWorkers line.
  [/worker_connections are not enough/, "proxy_exhausted", 0.95],
  [/\(24: Too many open files\)/, "proxy_exhausted", 0.85],
  [/^limiting connections by zone /, "proxy_exhausted", 0.6],
];

export function classifyNginxError(entry: NginxErrorEntry): Signal | null {
  for (const [pattern, cause, weight] of byMessage) {
    if (pattern.test(entry.message)) {
      const source = `log:nginx-${cause}`;
      return { ...signal(cause, weight, source, entry.line), atMs: entry.timeMs };
    }
  }
  return null;
}

/** An error-or-worse line about an upstream that no rule explains: "something else is wrong". */
export function isNginxProxyError(entry: NginxErrorEntry): boolean {
  const severe = ["error", "crit", "alert", "emerg"].includes(entry.level);
  return severe && (entry.upstream !== null || /upstream/.test(entry.message));
}
