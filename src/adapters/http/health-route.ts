import type { ServerResponse } from "node:http";
import type { HttpRoute } from "./http-route";

/** What the process reports about itself: each check's "ok" or what is wrong. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, string>;
}

const HEALTH_PATH = "/healthz";

/**
 * `GET /healthz` beside Bolt's own endpoint, for a load balancer or an orchestrator's probes:
 * 200 with the checks when all are ok, 503 with them when one is not. Nothing from Slack reaches
 * it and it changes nothing, so it needs no signature.
 */
export function healthRoute(health: () => Promise<HealthReport>): HttpRoute {
  return {
    path: HEALTH_PATH,
    method: "GET",
    handle: (_request, response) => {
      health().then(
        (report) => send(response, report.ok ? 200 : 503, report),
        (error: unknown) => send(response, 503, { ok: false, checks: { health: String(error) } }),
      );
    },
  };
}

function send(response: ServerResponse, status: number, report: HealthReport): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify({ status: report.ok ? "ok" : "unavailable", checks: report.checks }));
}
