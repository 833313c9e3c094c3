import { Cause } from "../../cause";

/** What the responder should check or do next, per cause, in a HAProxy operator's words. */
export function haproxyRecommendation(cause: Cause, where: string, upstream: string): string {
  switch (cause) {
    case "upstream_refused":
      return `HAProxy on ${where} cannot connect to ${upstream} (termination state SC, answered 503): start or restart the upstream service, check its port and firewall; if the port is open, check for a TLS mismatch (ssl on a server line to a plain-HTTP port fails the same way).`;
    case "upstream_timeout":
      return `${upstream} does not answer within timeout server as seen from ${where} (state sH, answered 504): check the upstream's load, stuck requests and its own logs; raise timeout server only if the slowness is expected.`;
    case "upstream_bad_response":
      return `HAProxy on ${where} refused ${upstream}'s response as invalid HTTP (state PH, answered 502): check the upstream's last deploy and its response headers (show errors on the stats socket prints the offending response); roll back the upstream change if it lines up.`;
    case "upstream_reset":
      return `${upstream} closes or resets connections before answering as seen from ${where} (state SH, answered 502): check the upstream for crashes and restarts (OOM kills), an upstream keep-alive timeout shorter than HAProxy's (timeout http-keep-alive, http-reuse), and firewalls cutting connections.`;
    case "dns_failure":
      return `The server address ${upstream} does not resolve on ${where}: HAProxy resolves server names at start-up (haproxy -c fails on it) and at run time only with a resolvers section; fix the DNS record or resolvers, then haproxy -c and reload.`;
    case "backend_tls":
      return `The TLS handshake from ${where} to ${upstream} fails: ssl on a server line to a port that speaks plain HTTP, or a certificate the ca-file does not trust (verify required); check with openssl s_client -connect, then fix the server line or the certificate.`;
    case "config_invalid":
      return `haproxy -c fails on ${where}: the configuration on disk is broken, so a reload keeps the old workers (the master refuses the new config) and a restart would take the proxy down. Fix the file and line it names in /etc/haproxy/haproxy.cfg, rerun haproxy -c, and only then reload.`;
    case "proxy_exhausted":
      return `HAProxy on ${where} is at its connection limits (maxconn reached, requests queued past timeout queue: state sQ): raise the server's or backend's maxconn if the upstream can take it, look for slow upstream requests holding connections, and check the global maxconn and ulimit -n.`;
    case "upstream_unhealthy":
      return `HAProxy's health checks mark every server of ${upstream} DOWN on ${where} ("no server available", <NOSRV>, answered 503): check the servers and what the check asks for (option httpchk path and expected status); HAProxy puts a server back after rise successful checks, and "enable server" on the stats socket does it by hand once it answers.`;
    case "healthy":
      return `No proxy errors in the window and the upstream answers on ${where}: keep watching the 5xx rate; if users still see errors, look at what sits in front of these proxies.`;
    case "unknown":
      return `The evidence from ${where} does not point at one cause: read the log lines shown (termination state and timers), show stat and show errors on the stats socket, and bring in the upstream's owners.`;
  }
}
