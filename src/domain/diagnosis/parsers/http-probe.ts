import { Cause } from "../../cause";
import { Signal, signal } from "../signal";

/**
 * An HTTP probe of the upstream from the proxy host. Expected command:
 *
 *   curl -sS -o /dev/null -w 'http_code=%{http_code} time_total=%{time_total} url=%{url_effective}\n' \
 *     --max-time N URL
 *
 * stdout has the `-w` line (`url=` is optional), stderr curl's own message such as
 * `curl: (7) Failed to connect to 10.0.1.5 port 8080 after 0 ms: Couldn't connect to server`; the
 * exit code tells what went wrong (curl's man page, EXIT CODES).
 */
export interface HttpProbe {
  httpCode: number | null;
  timeTotalSeconds: number | null;
  url: string | null;
  curlExit: number | null;
  /** curl's error line, when it printed one. */
  error: string | null;
}

const writeOut = /http_code=(\d{3})(?: time_total=([\d.]+))?(?: url=(\S+))?/;
const curlError = /^curl: \((\d+)\) .*$/m;

export function parseHttpProbe(output: string, exitCode: number | null): HttpProbe {
  const out = writeOut.exec(output);
  const err = curlError.exec(output);
  const code = out?.[1] === undefined ? null : Number(out[1]);
  return {
    httpCode: code === 0 ? null : code,
    timeTotalSeconds: out?.[2] === undefined ? null : Number(out[2]),
    url: out?.[3] ?? null,
    curlExit: exitCode ?? (err?.[1] === undefined ? null : Number(err[1])),
    error: err?.[0].trim() ?? null,
  };
}

/** curl exit codes and the cause each stands for. */
const causeByExit: ReadonlyMap<number, Cause> = new Map<number, Cause>([
  [6, "dns_failure"],
  [7, "upstream_refused"],
  [28, "upstream_timeout"],
  [35, "backend_tls"],
  [51, "backend_tls"],
  [53, "backend_tls"],
  [54, "backend_tls"],
  [58, "backend_tls"],
  [59, "backend_tls"],
  [60, "backend_tls"],
  [66, "backend_tls"],
  [77, "backend_tls"],
  [80, "backend_tls"],
  [83, "backend_tls"],
  [90, "backend_tls"],
  [91, "backend_tls"],
  [52, "upstream_reset"],
  [56, "upstream_reset"],
  [8, "upstream_bad_response"],
  [18, "upstream_bad_response"],
]);

function causeOf(probe: HttpProbe): Cause | null {
  if (probe.curlExit === null || probe.curlExit === 0) return null;
  // Exit 1 covers many things; an HTTP/0.9 answer is a response that is not HTTP/1.x.
  if (probe.curlExit === 1 && /HTTP\/0\.9/.test(probe.error ?? "")) return "upstream_bad_response";
  return causeByExit.get(probe.curlExit) ?? null;
}

export function httpProbeSignals(probe: HttpProbe, stepId: string): Signal[] {
  const cause = causeOf(probe);
  if (!cause) return [];
  return [signal(cause, 0.6, `probe:${stepId}`, probe.error ?? `curl exit ${probe.curlExit}`)];
}

/** The upstream answered when curl got an HTTP status that is not a server error. */
export function httpProbeAnswered(probe: HttpProbe): boolean {
  return probe.curlExit === 0 && probe.httpCode !== null && probe.httpCode < 500;
}
