import { ProxyKind } from "../proxy-kind";
import { haproxyReaders } from "./readers";
import { refineHaproxyEvidence } from "./refine";
import { haproxyRecommendation } from "./recommendations";
import { haproxyUpstreamNamedIn } from "./upstream-named";

/** HAProxy in master-worker mode (Debian's haproxy layout: /etc/haproxy, /var/log/haproxy.log). */
export const haproxy: ProxyKind = {
  name: "haproxy",
  title: "HAProxy",
  defaultPlaybook: "haproxy-502",
  readers: haproxyReaders,
  accessLogParser: "haproxy-log",
  upstreamNamedIn: haproxyUpstreamNamedIn,
  recommendation: haproxyRecommendation,
  refine: refineHaproxyEvidence,
  causePhrases: {
    config_invalid: "the HAProxy configuration on disk fails haproxy -c",
    proxy_exhausted: "HAProxy is at its connection limits (maxconn, queue)",
    upstream_refused: "HAProxy cannot connect to the server (SC)",
  },
};
