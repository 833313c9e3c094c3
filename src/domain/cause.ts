import { z } from "zod";

/** The cause vocabulary of the external contract (`cause` fields in `run --json` and in chat). */
export const causes = [
  "upstream_refused",
  "upstream_timeout",
  "upstream_bad_response",
  "upstream_reset",
  "dns_failure",
  "backend_tls",
  "config_invalid",
  "proxy_exhausted",
  "upstream_unhealthy",
  "healthy",
  "unknown",
] as const;

export const Cause = z.enum(causes);
export type Cause = z.infer<typeof Cause>;
