import { Cause } from "../../cause";

/** What the responder should check or do next, per cause, in an Apache operator's words. */
export function apacheRecommendation(cause: Cause, where: string, upstream: string): string {
  switch (cause) {
    case "upstream_refused":
      return `Nothing listens on ${upstream} as seen from ${where}: start or restart the upstream service, check its port and firewall; then watch the 502/503 rate fall (Apache retries a failed worker after its retry= period, 60 s by default).`;
    case "upstream_timeout":
      return `${upstream} accepts connections but does not answer within the proxy timeout as seen from ${where}: check the upstream's load, stuck requests and its own logs; raise timeout= on the ProxyPass only if the slowness is expected.`;
    case "upstream_bad_response":
      return `${upstream} answers with something that is not valid HTTP (bad status line or headers) as seen from ${where}: check the upstream's last deploy and its response headers (no colon, or over ResponseFieldSize 8 KB); roll back the upstream change if it lines up.`;
    case "upstream_reset":
      return `${upstream} closes or resets connections before answering as seen from ${where}: check the upstream for crashes and restarts (OOM kills), a keep-alive timeout shorter than Apache's (try disablereuse=On or a lower ttl= on the ProxyPass), and firewalls or load balancers cutting connections.`;
    case "dns_failure":
      return `The upstream name ${upstream} does not resolve on ${where}: check the DNS record and /etc/resolv.conf there (getent hosts NAME), then reload Apache gracefully once it resolves.`;
    case "backend_tls":
      return `The TLS handshake from ${where} to ${upstream} fails: the backend may not speak TLS on that port (https:// in ProxyPass to a plain-HTTP port), or its certificate is expired or not trusted (SSLProxyCACertificateFile); check with openssl s_client -connect, then fix the scheme or the certificate.`;
    case "config_invalid":
      return `apache2ctl configtest fails on ${where}: the configuration on disk is broken, so any reload or restart would take the proxy down. Fix the file and line it names (see recent changes in /etc/apache2/sites-enabled), rerun configtest, and only then reload.`;
    case "proxy_exhausted":
      return `Apache on ${where} is out of workers or file descriptors: look for slow upstream requests holding workers (lower ProxyTimeout), raise MaxRequestWorkers/ServerLimit if memory allows, or the open-files limit; a graceful reload frees stuck workers only for a while.`;
    case "upstream_unhealthy":
      return `Every member of the balancer ${upstream} is marked in error or disabled as seen from ${where} (health checks or failed requests): check the members themselves; Apache puts a member back after its retry= period, and balancer-manager can enable one by hand once it answers.`;
    case "healthy":
      return `No proxy errors in the window and the upstream answers on ${where}: keep watching the 502 rate; if users still see 502s, look at what sits in front of these proxies.`;
    case "unknown":
      return `The evidence from ${where} does not point at one cause: read the error log lines shown, probe the upstream by hand from the proxy, and bring in the upstream's owners.`;
  }
}
