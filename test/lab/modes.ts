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

/**
 * What real nginx and HAProxy did when the lab broke a host this way: the status clients got, text
 * the proxy wrote to its log (nginx: error.log; HAProxy: haproxy.log, whose request lines carry
 * the termination state), and whether `nginx -t` / `haproxy -c` failed. Measured on Debian 12's
 * nginx 1.22.1 and HAProxy 2.6.12 (test/fixtures/captures/); the integration test checks them.
 */
export interface KindModeSignature {
  readonly cause: LabCause;
  /** What requests sent while the host is broken get (worker-exhaustion: some of them). */
  readonly clientStatus: number;
  readonly logText: readonly string[];
  /** HAProxy: text its master wrote to stderr (/var/log/haproxy-master.log in the lab). */
  readonly masterLogText?: readonly string[];
  readonly configtestFails: boolean;
}

export const KIND_MODE_SIGNATURES: Readonly<
  Record<"nginx" | "haproxy", Readonly<Record<LabMode, KindModeSignature>>>
> = {
  nginx: {
    "upstream-stopped": {
      cause: "upstream_refused",
      clientStatus: 502,
      logText: ["connect() failed (111: Connection refused) while connecting to upstream"],
      configtestFails: false,
    },
    "upstream-hang": {
      cause: "upstream_timeout",
      clientStatus: 504,
      logText: ["upstream timed out (110: Connection timed out) while reading response header"],
      configtestFails: false,
    },
    "upstream-malformed": {
      cause: "upstream_bad_response",
      clientStatus: 502,
      logText: ["upstream sent invalid header"],
      configtestFails: false,
    },
    "upstream-reset": {
      cause: "upstream_reset",
      clientStatus: 502,
      logText: ["recv() failed (104: Connection reset by peer) while reading response header"],
      configtestFails: false,
    },
    "dns-failure": {
      cause: "dns_failure",
      clientStatus: 200,
      logText: ["[emerg]", 'host not found in upstream "upstream.'],
      configtestFails: true,
    },
    "backend-tls": {
      cause: "backend_tls",
      clientStatus: 502,
      logText: ["SSL_do_handshake() failed", "while SSL handshaking to upstream"],
      configtestFails: false,
    },
    "config-syntax": {
      cause: "config_invalid",
      clientStatus: 200,
      logText: ["[emerg]", 'unknown directive "proxy_pas"'],
      configtestFails: true,
    },
    "worker-exhaustion": {
      cause: "proxy_exhausted",
      clientStatus: 500,
      logText: ["worker_connections are not enough while connecting to upstream"],
      configtestFails: false,
    },
    "upstream-unhealthy": {
      cause: "upstream_unhealthy",
      clientStatus: 502,
      logText: ["no live upstreams while connecting to upstream"],
      configtestFails: false,
    },
  },
  haproxy: {
    "upstream-stopped": {
      cause: "upstream_refused",
      clientStatus: 503,
      logText: [" 503 ", " SC-- "],
      configtestFails: false,
    },
    "upstream-hang": {
      cause: "upstream_timeout",
      clientStatus: 504,
      logText: [" 504 ", " sH-- "],
      configtestFails: false,
    },
    "upstream-malformed": {
      cause: "upstream_bad_response",
      clientStatus: 502,
      logText: [" 502 ", " PH-- "],
      configtestFails: false,
    },
    "upstream-reset": {
      cause: "upstream_reset",
      clientStatus: 502,
      logText: [" 502 ", " SH-- "],
      configtestFails: false,
    },
    "dns-failure": {
      cause: "dns_failure",
      clientStatus: 200,
      logText: [],
      masterLogText: ["could not resolve address 'upstream.", "Loading failure!"],
      configtestFails: true,
    },
    "backend-tls": {
      cause: "backend_tls",
      clientStatus: 503,
      logText: [" 503 ", " SC-- "],
      configtestFails: false,
    },
    "config-syntax": {
      cause: "config_invalid",
      clientStatus: 200,
      logText: [],
      masterLogText: ["unknown keyword 'timout' in 'backend' section", "Loading failure!"],
      configtestFails: true,
    },
    "worker-exhaustion": {
      cause: "proxy_exhausted",
      clientStatus: 503,
      logText: [" sQ-- "],
      configtestFails: false,
    },
    "upstream-unhealthy": {
      cause: "upstream_unhealthy",
      clientStatus: 503,
      logText: ["is DOWN", "has no server available!", "/<NOSRV> "],
      configtestFails: false,
    },
  },
};
