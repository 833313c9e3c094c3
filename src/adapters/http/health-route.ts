import type { ServerResponse } from "node:http";
import type { HttpRoute } from "./http-route";

/** What the process reports about itself: each check's "ok" or what is wrong. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, string>;
}

const HEALTH_PATH = "/healthz";

/** The only words a check has in the response: which one fails, never why. */
const OK = "ok";
const FAILING = "failing";

/**
 * `GET /healthz` beside Bolt's own endpoint, for a load balancer or an orchestrator's probes:
 * 200 with the checks when all are ok, 503 naming the failing ones when one is not. Nothing from
 * Slack reaches it and it changes nothing, so it needs no signature. It is unauthenticated, so
 * the body says only `ok` or `failing` per check: a check's own text (a Redis client's error
 * message carries addresses and internals) is not for anyone who can reach the port.
 */
export function healthRoute(health: () => Promise<HealthReport>): HttpRoute {
  return {
    path: HEALTH_PATH,
    method: "GET",
    handle: (_request, response) => {
      health().then(
        (report) => send(response, report),
        () => send(response, { ok: false, checks: { health: FAILING } }),
      );
    },
  };
}

function send(response: ServerResponse, report: HealthReport): void {
  const checks = Object.fromEntries(
    Object.entries(report.checks).map(([name, verdict]) => [name, verdict === OK ? OK : FAILING]),
  );
  const ok = report.ok && Object.values(checks).every((verdict) => verdict === OK);
  response.writeHead(ok ? 200 : 503, {
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  response.end(JSON.stringify({ status: ok ? "ok" : "unavailable", checks }));
}
