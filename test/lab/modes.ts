/** The kinds of reverse proxy a lab host can run (Debian's packages); no kind means apache. */
export const PROXY_KINDS = ["apache", "nginx", "haproxy"] as const;
export type ProxyKind = (typeof PROXY_KINDS)[number];

export function isProxyKind(value: string): value is ProxyKind {
  return (PROXY_KINDS as readonly string[]).includes(value);
}

/** The failures the lab can inject into an Apache host (names are part of the lab's interface). */
export const BREAK_MODES = [
  "upstream-stopped",
  "upstream-hang",
  "upstream-malformed",
  "upstream-reset",
  "dns-failure",
  "backend-tls",
  "config-syntax",
  "worker-exhaustion",
] as const;

export type BreakMode = (typeof BREAK_MODES)[number];

export function isBreakMode(value: string): value is BreakMode {
  return (BREAK_MODES as readonly string[]).includes(value);
}

/**
 * Every failure the lab can inject into a host of some kind: Apache's, plus health checks (HAProxy
 * `check`) or passive failure counting (nginx `max_fails`) marking every server of the upstream down.
 */
export const LAB_MODES = [...BREAK_MODES, "upstream-unhealthy"] as const;
export type LabMode = (typeof LAB_MODES)[number];

export function isLabMode(value: string): value is LabMode {
  return (LAB_MODES as readonly string[]).includes(value);
}

/** The modes a host of each kind supports; the names mean the same failure on every kind. */
export const KIND_MODES: Readonly<Record<ProxyKind, readonly LabMode[]>> = {
  apache: BREAK_MODES,
  nginx: LAB_MODES,
  haproxy: LAB_MODES,
};

/** The cause each mode should be diagnosed as (the CONTRACT's cause vocabulary). */
export type ExpectedCause =
  | "upstream_refused"
  | "upstream_timeout"
  | "upstream_bad_response"
  | "upstream_reset"
  | "dns_failure"
  | "backend_tls"
  | "config_invalid"
  | "proxy_exhausted";

/** The causes of the modes on every kind: Apache's and `upstream_unhealthy` (CONTRACT). */
export type LabCause = ExpectedCause | "upstream_unhealthy";

/**
 * What real Apache did when the lab broke a host this way: the status clients got through the
 * proxy, the AH codes (and message text) it wrote to the error log, and whether `apache2ctl
 * configtest` failed. Measured on Debian 12's Apache 2.4.71 (see README.md and
 * test/fixtures/apache/); the lab's integration test checks these still hold.
 */
export interface ModeSignature {
  readonly cause: ExpectedCause;
  readonly clientStatus: number;
  readonly errorLogCodes: readonly string[];
  readonly errorLogText: readonly string[];
  readonly configtestFails: boolean;
}

export const MODE_SIGNATURES: Readonly<Record<BreakMode, ModeSignature>> = {
  "upstream-stopped": {
    cause: "upstream_refused",
    clientStatus: 503,
    errorLogCodes: ["AH00957", "AH01114"],
    errorLogText: ["(111)Connection refused", "failed to make connection to backend"],
    configtestFails: false,
  },
  "upstream-hang": {
    cause: "upstream_timeout",
    clientStatus: 502,
    errorLogCodes: ["AH01102", "AH00898"],
    errorLogText: ["(70007)The timeout specified has expired", "error reading status line"],
    configtestFails: false,
  },
  "upstream-malformed": {
    cause: "upstream_bad_response",
    clientStatus: 502,
    errorLogCodes: ["AH01106"],
    errorLogText: ["bad HTTP/1.1 header returned by /api/"],
    configtestFails: false,
  },
  "upstream-reset": {
    cause: "upstream_reset",
    clientStatus: 502,
    errorLogCodes: ["AH01102", "AH00898"],
    errorLogText: ["(104)Connection reset by peer", "error reading status line"],
    configtestFails: false,
  },
  "dns-failure": {
    cause: "dns_failure",
    clientStatus: 500,
    errorLogCodes: ["AH00898"],
    errorLogText: ["DNS lookup failure for: upstream."],
    configtestFails: false,
  },
  "backend-tls": {
    cause: "backend_tls",
    clientStatus: 500,
    errorLogCodes: ["AH01084", "AH00898", "AH01097"],
    errorLogText: ["Error during SSL Handshake with remote server"],
    configtestFails: false,
  },
  "config-syntax": {
    cause: "config_invalid",
    clientStatus: 200,
    errorLogCodes: [],
    errorLogText: [],
    configtestFails: true,
  },
  "worker-exhaustion": {
    cause: "proxy_exhausted",
    clientStatus: 502,
    errorLogCodes: ["AH00484"],
    errorLogText: ["server reached MaxRequestWorkers setting"],
    configtestFails: false,
  },
};
