import { Cause } from "../../cause";

/** What the responder should check or do next, per cause, in an nginx operator's words. */
export function nginxRecommendation(cause: Cause, where: string, upstream: string): string {
  switch (cause) {
    case "upstream_refused":
      return `Nothing listens on ${upstream} as seen from ${where}: start or restart the upstream service, check its port and firewall; nginx tries the server again after fail_timeout (10 s by default), so the 502s stop soon after it is back.`;
    case "upstream_timeout":
      return `${upstream} accepts connections but does not answer within proxy_read_timeout (60 s by default) as seen from ${where}, so nginx answers 504: check the upstream's load, stuck requests and its own logs; raise proxy_read_timeout only if the slowness is expected.`;
    case "upstream_bad_response":
      return `${upstream} answers with something that is not valid HTTP as seen from ${where} ("upstream sent invalid header"): check the upstream's last deploy and its response headers (over proxy_buffer_size, 4–8 KB, is "too big header"); roll back the upstream change if it lines up.`;
    case "upstream_reset":
      return `${upstream} closes or resets connections before answering as seen from ${where}: check the upstream for crashes and restarts (OOM kills), an upstream keep-alive timeout shorter than nginx's keepalive_timeout in the upstream block, and load balancers or firewalls cutting connections.`;
    case "dns_failure":
      return `The upstream name ${upstream} does not resolve on ${where}: nginx resolves names in an upstream block only at start and reload (a name that fails then fails nginx -t), and names in proxy_pass variables through its resolver directive; fix the DNS record or resolver, then nginx -t and nginx -s reload.`;
    case "backend_tls":
      return `The TLS handshake from ${where} to ${upstream} fails: proxy_pass https:// to a port that speaks plain HTTP ("wrong version number"), or with proxy_ssl_verify on, a certificate that is expired or not trusted (proxy_ssl_trusted_certificate); check with openssl s_client -connect, then fix the scheme or the certificate.`;
    case "config_invalid":
      return `nginx -t fails on ${where}: the configuration on disk is broken, so a reload would be refused (nginx keeps the old config) and a restart would take the proxy down. Fix the file and line it names (see recent changes in /etc/nginx/sites-enabled and conf.d), rerun nginx -t, and only then reload.`;
    case "proxy_exhausted":
      return `nginx on ${where} is out of connections or file descriptors ("worker_connections are not enough", "Too many open files"): raise worker_connections and worker_rlimit_nofile (each proxied request holds two connections), look for slow upstream requests holding them, and check limit_conn zones and max_conns on the upstream servers.`;
    case "upstream_unhealthy":
      return `nginx on ${where} has marked every server of the upstream ${upstream} failed ("no live upstreams"): after max_fails failures a server is left out for fail_timeout; check the servers themselves, then watch nginx try them again when fail_timeout has passed (a reload resets the state at once).`;
    case "healthy":
      return `No proxy errors in the window and the upstream answers on ${where}: keep watching the 502 rate; if users still see 502s, look at what sits in front of these proxies.`;
    case "unknown":
      return `The evidence from ${where} does not point at one cause: read the error log lines shown, probe the upstream by hand from the proxy (curl -v), and bring in the upstream's owners.`;
  }
}
