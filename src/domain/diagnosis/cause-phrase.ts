import { Cause } from "../cause";

/** A few words per cause for the summary sentence, in words that fit every proxy kind. */
export const causePhrase: Readonly<Record<Cause, string>> = {
  upstream_refused: "the upstream refuses connections",
  upstream_timeout: "the upstream does not answer in time",
  upstream_bad_response: "the upstream sends malformed responses",
  upstream_reset: "the upstream closes or resets connections",
  dns_failure: "the upstream name does not resolve",
  backend_tls: "the TLS handshake to the upstream fails",
  config_invalid: "the proxy configuration on disk fails its config test",
  proxy_exhausted: "the proxy is out of workers, connections or file descriptors",
  upstream_unhealthy: "health checks mark every server of the upstream down",
  healthy: "no proxy errors and the upstream answers",
  unknown: "no clear cause in the evidence",
};
