import { Cause } from "../../cause";
import { ErrorLogEntry } from "./error-log";
import { Signal, signal } from "../../diagnosis/signal";

/**
 * What an Apache error log line means, from Apache's own message catalogue (httpd 2.4
 * modules/proxy/proxy_util.c, mod_proxy.c, mod_proxy_http.c, server/mpm/event/event.c) and from
 * the lines real Apache wrote when the lab broke an upstream that way:
 *
 *   AH00957 attempt to connect to H:P failed        errno 111 refused; 110/70007 connect timeout
 *   AH01114 failed to make connection to backend    follows AH00957 (client gets 503)
 *   AH00959 / AH00940 worker disabled / in error state after connect failures
 *   AH01102 error reading status line               errno 70007 timeout; 104 reset;
 *                                                    20014/70014 closed before answering (reset);
 *                                                    22 not an HTTP status line (bad response)
 *   AH01106 bad HTTP/1.1 header; AH10124 header over ResponseFieldSize;
 *   AH10404 error reading headers from backend       (104) reset mid-headers, then an AH01106 echo;
 *   AH01110 error reading response (body cut short)  → bad response (104 → reset)
 *   AH00898 "DNS lookup failure for: NAME"           → DNS; "Error during SSL Handshake" → TLS;
 *           "Error reading from remote server"       → only repeats the AH01102 before it
 *   mod_ssl (info level) AH02003 "SSL Proxy connect failed", AH01997 "SSL handshake failed" → TLS
 *   AH01084 / AH01097 pass request body failed       → follows a TLS handshake failure or a reset
 *   AH00484 server reached MaxRequestWorkers; AH10159 within MinSpareThreads of it; "scoreboard is
 *           full"; (24) Too many open files          → proxy out of workers or descriptors
 *
 * AH01085 is NOT an upstream failure, whatever blog posts say: it is "could not parse request
 * Content-Length", a bad request from the client (answered 400), so it is ignored here.
 */

const TIMEOUT_ERRNOS = new Set(["70007", "110"]);
const RESET_ERRNOS = new Set(["104", "32"]);
const CLOSED_ERRNOS = new Set(["20014", "70014"]);

function connectFailure(entry: ErrorLogEntry): Cause {
  if (entry.errno === "111") return "upstream_refused";
  if (entry.errno !== null && TIMEOUT_ERRNOS.has(entry.errno)) return "upstream_timeout";
  if (entry.errno === "113" || entry.errno === "101") return "upstream_refused";
  if (entry.errno?.startsWith("EAI")) return "dns_failure";
  return "upstream_refused";
}

function statusLineFailure(entry: ErrorLogEntry): Cause {
  const errno = entry.errno ?? "";
  if (TIMEOUT_ERRNOS.has(errno)) return "upstream_timeout";
  if (RESET_ERRNOS.has(errno) || CLOSED_ERRNOS.has(errno)) return "upstream_reset";
  if (errno === "22") return "upstream_bad_response";
  return "upstream_reset";
}

const byMessage: readonly [RegExp, Cause, number][] = [
  [/DNS lookup failure for:/, "dns_failure", 0.85],
  // AH00898's other variants (proxy_util.c ap_proxyerror): the upstream's part of the story.
  [/^Timeout on 100-Continue returned by /, "upstream_timeout", 0.7],
  [/^Corrupt status line returned by remote server/, "upstream_bad_response", 0.8],
  [
    /SSL Handshake|SSL handshake failed|SSL Proxy|SSL Library Error|Certificate Verification|certificate verify failed/i,
    "backend_tls",
    0.85,
  ],
  // mod_proxy_balancer with no usable member left (AH01167 with a route, AH01170 without).
  [/All workers are in error state/, "upstream_unhealthy", 0.85],
  // Apache saying it ran out of workers is as direct as evidence gets.
  [/reached MaxRequestWorkers/, "proxy_exhausted", 0.95],
  [/scoreboard is full/, "proxy_exhausted", 0.7],
  [/within MinSpareThreads of MaxRequestWorkers/, "proxy_exhausted", 0.3],
];

/** The cause an error log line points at, with how sure that one line makes us; null if none. */
export function classifyErrorLogEntry(entry: ErrorLogEntry): Signal | null {
  const found = classify(entry);
  if (!found) return null;
  const source = `log:${entry.code ?? entry.module}`;
  return { ...signal(found.cause, found.weight, source, entry.line), atMs: entry.timeMs };
}

function classify(entry: ErrorLogEntry): { cause: Cause; weight: number } | null {
  if (entry.errno === "24") return { cause: "proxy_exhausted", weight: 0.85 };
  for (const [pattern, cause, weight] of byMessage) {
    if (pattern.test(entry.message)) return { cause, weight };
  }
  switch (entry.code) {
    // A failed connect; AH00939 the same for a name with several addresses, AH02454 to a
    // unix-domain socket (errno 2: no socket file, nothing listens).
    case "AH00957":
    case "AH00939":
    case "AH02454":
      return { cause: connectFailure(entry), weight: 0.8 };
    case "AH00958":
      return { cause: connectFailure(entry), weight: 0.7 };
    case "AH01114":
    case "AH00959":
    case "AH00940":
      return { cause: "upstream_refused", weight: 0.5 };
    case "AH01102":
      return { cause: statusLineFailure(entry), weight: 0.8 };
    // Headers cut short by the upstream: a reset (104) or close, else unreadable headers.
    case "AH10404":
      return RESET_ERRNOS.has(entry.errno ?? "") || CLOSED_ERRNOS.has(entry.errno ?? "")
        ? { cause: "upstream_reset", weight: 0.85 }
        : { cause: "upstream_bad_response", weight: 0.6 };
    case "AH01106":
    case "AH10124":
      return { cause: "upstream_bad_response", weight: 0.8 };
    // Headers Apache could not read as headers (ProxyBadHeader StartBody/IsError off), and a
    // forward proxy refusing the CONNECT tunnel.
    case "AH01098":
    case "AH01099":
    case "AH01100":
    case "AH00950":
      return { cause: "upstream_bad_response", weight: 0.6 };
    // Every connection of the worker (max=) in use past acquire=, or every balancer member busy.
    case "AH00941":
    case "AH00934":
      return { cause: "proxy_exhausted", weight: 0.9 };
    // The balancer took a member out: it answered a failonstatus code, or timed out.
    case "AH01174":
      return { cause: "upstream_unhealthy", weight: 0.7 };
    case "AH02460":
      return { cause: "upstream_timeout", weight: 0.7 };
    // An https:// backend without SSLProxyEngine on.
    case "AH00961":
      return { cause: "backend_tls", weight: 0.85 };
    // The module for the URL's scheme (mod_proxy_http for http://) is not loaded.
    case "AH01144":
      return { cause: "config_invalid", weight: 0.7 };
    case "AH00960":
      return { cause: "upstream_reset", weight: 0.6 };
    case "AH01115":
      return { cause: "upstream_timeout", weight: 0.5 };
    case "AH01110":
      return RESET_ERRNOS.has(entry.errno ?? "")
        ? { cause: "upstream_reset", weight: 0.6 }
        : { cause: "upstream_bad_response", weight: 0.6 };
    // Sending the request body failed: the connection died under us (a TLS failure says so in
    // its own AH00898 line, which outweighs this one).
    case "AH01084":
    case "AH01097":
    case "AH10154":
      return { cause: "upstream_reset", weight: 0.3 };
    default:
      return null;
  }
}

/** Proxy-related lines at error level or worse, whatever their cause: "is anything wrong?". */
export function isProxyError(entry: ErrorLogEntry): boolean {
  const severe = ["error", "crit", "alert", "emerg"].includes(entry.level);
  return severe && (entry.module.startsWith("proxy") || classifyErrorLogEntry(entry) !== null);
}
