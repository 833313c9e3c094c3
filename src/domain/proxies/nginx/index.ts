import { ProxyKind } from "../proxy-kind";
import { nginxReaders } from "./readers";
import { nginxRecommendation } from "./recommendations";
import { nginxUpstreamNamedIn } from "./upstream-named";

/** nginx as a reverse proxy (Debian's nginx layout: /etc/nginx, /var/log/nginx). */
export const nginx: ProxyKind = {
  name: "nginx",
  title: "nginx",
  defaultPlaybook: "nginx-502",
  readers: nginxReaders,
  accessLogParser: "nginx-access-log",
  upstreamNamedIn: nginxUpstreamNamedIn,
  recommendation: nginxRecommendation,
  causePhrases: {
    config_invalid: "the nginx configuration on disk fails nginx -t",
    proxy_exhausted: "nginx is out of worker connections or file descriptors",
    upstream_unhealthy: "nginx has marked every server of the upstream failed (no live upstreams)",
  },
};
