import { Cause } from "../../cause";
import { Signal, signal } from "../../diagnosis/signal";
import { HaproxyEvent, HaproxyRequest } from "./log";

/**
 * What a HAProxy log line means. A request's termination state (HAProxy's management guide,
 * "Session state at disconnection"; its first two letters: who ended it, and at which stage) as
 * HAProxy 2.6 wrote it when the lab broke the upstream that way (test/lab/README.md, "What real
 * HAProxy writes"):
 *
 *   SC 503 + <NOSRV>  no server available (health checks marked every server down)
 *   SC 503            connect failed after the retries: refused, or a TLS handshake to a plain port
 *   sC 503            connect timeout;   sH 504  no response headers within timeout server
 *   SH 502            the server closed or reset before its headers;   SD: during the body
 *   PH 502            HAProxy refused the server's response (invalid HTTP)
 *   sQ 503            queued past timeout queue (maxconn reached);   R*: a resource ran out
 */
function classifyTermination(request: HaproxyRequest): { cause: Cause; weight: number } | null {
  const state = request.termination.slice(0, 2);
  if (request.server === "<NOSRV>" && state === "SC")
    return { cause: "upstream_unhealthy", weight: 0.8 };
  switch (state) {
    case "SC":
      return { cause: "upstream_refused", weight: 0.7 };
    case "sC":
      return { cause: "upstream_timeout", weight: 0.8 };
    case "sH":
    case "sD":
      return { cause: "upstream_timeout", weight: 0.8 };
    case "SH":
      return { cause: "upstream_reset", weight: 0.75 };
    case "SD":
      return { cause: "upstream_reset", weight: 0.5 };
    case "PH":
    case "PD":
      return { cause: "upstream_bad_response", weight: 0.8 };
    // Queued past timeout queue because every server was at its maxconn: HAProxy's own word.
    case "sQ":
      return { cause: "proxy_exhausted", weight: 0.95 };
    default:
      return state.startsWith("R") ? { cause: "proxy_exhausted", weight: 0.6 } : null;
  }
}

/** HAProxy's own event lines (health checks, resolvers, limits), from their first words. */
const byEvent: readonly [RegExp, Cause, number][] = [
  [/^backend \S+ has no server available!/, "upstream_unhealthy", 0.9],
  [/^Server \S+ is DOWN, reason: Layer4 connection problem/, "upstream_refused", 0.5],
  [/^Server \S+ is DOWN, reason: Layer4 timeout/, "upstream_timeout", 0.5],
  [/^Server \S+ is DOWN, reason: Layer6 invalid response/, "backend_tls", 0.6],
  [/^Server \S+ is DOWN, reason: Layer7 /, "upstream_bad_response", 0.4],
  [/^Server \S+ is DOWN, reason: Socket error/, "upstream_refused", 0.4],
  [
    /^Server \S+ (is going DOWN for maintenance|was DOWN and now enters maintenance)/,
    "upstream_unhealthy",
    0.4,
  ],
  [
    /could not resolve address|unable to resolve|DNS (resolution|lookup) (failed|error)/i,
    "dns_failure",
    0.8,
  ],
  [/SSL handshake failure|SSL_do_handshake/i, "backend_tls", 0.8],
  [
    /Proxy \S+ reached (process|frontend|backend)? ?(FD|connection )?limit|maxconn|Too many open files/i,
    "proxy_exhausted",
    0.6,
  ],
];

/**
 * Tw, the time a request waited in a queue for a connection slot: HAProxy queues only when the
 * server (or backend) is at its maxconn. A second of it is a full pool, whatever ended the request
 * afterwards: under load the lab's queued requests got a slot just inside `timeout queue` and then
 * timed out on the hanging server (sH, Tw=3000).
 */
const QUEUED_MS = 1000;

function queueSignal(request: HaproxyRequest): Signal | null {
  if (request.timers.tw < QUEUED_MS) return null;
  const found = signal("proxy_exhausted", 0.95, "log:haproxy-queue", request.line);
  return { ...found, atMs: request.timeMs };
}

/** What one request line says: its termination state, and a long wait in the queue. */
export function classifyHaproxyRequest(request: HaproxyRequest): Signal[] {
  return [terminationSignal(request), queueSignal(request)].filter((s): s is Signal => s !== null);
}

function terminationSignal(request: HaproxyRequest): Signal | null {
  if (request.status < 500 && request.status > 0) return null;
  const found = classifyTermination(request);
  if (!found) return null;
  const source = `log:haproxy-${request.termination.slice(0, 2)}`;
  return { ...signal(found.cause, found.weight, source, request.line), atMs: request.timeMs };
}

export function classifyHaproxyEvent(event: HaproxyEvent): Signal | null {
  for (const [pattern, cause, weight] of byEvent) {
    if (pattern.test(event.message)) {
      return { ...signal(cause, weight, `log:haproxy-event`, event.line), atMs: event.timeMs };
    }
  }
  return null;
}

/** A server going down or an alert that no rule explains: worth showing the responder. */
export function isHaproxyProblem(event: HaproxyEvent): boolean {
  return /is DOWN|has no server available|\[ALERT\]|\[WARNING\]/.test(event.message);
}
