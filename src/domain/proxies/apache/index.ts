import { ProxyKind } from "../proxy-kind";
import { apacheReaders } from "./readers";
import { apacheRecommendation } from "./recommendations";
import { apacheUpstreamNamedIn } from "./upstream-named";

/** Apache httpd 2.4 with mod_proxy (Debian's apache2 layout). */
export const apache: ProxyKind = {
  name: "apache",
  title: "Apache",
  defaultPlaybook: "apache-502",
  readers: apacheReaders,
  accessLogParser: "apache-access-log",
  upstreamNamedIn: apacheUpstreamNamedIn,
  recommendation: apacheRecommendation,
  causePhrases: {
    config_invalid: "the Apache configuration on disk fails configtest",
    proxy_exhausted: "Apache is out of workers or file descriptors",
  },
};
