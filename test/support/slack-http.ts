import {
  healthRoute,
  listenerRoute,
  startHttpServer,
  type HealthReport,
  type HttpServer,
} from "../../src/adapters/http";
import type { SlackApp } from "../../src/adapters/slack";

/** Serves a started app on PORT as main.ts does: /slack/events (HTTP mode) and /healthz. */
export async function serveSlackApp(
  bot: SlackApp,
  port: number,
  health?: () => Promise<HealthReport>,
): Promise<HttpServer> {
  const routes = health ? [healthRoute(health)] : [];
  if (bot.requestListener) routes.push(listenerRoute("POST", "/slack/events", bot.requestListener));
  return startHttpServer({ port, host: "127.0.0.1", routes });
}
