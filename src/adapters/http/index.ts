/** The HTTP adapter's public surface, for main.ts: the one server on PORT and its routes. */
export { startHttpServer, type HttpServer, type HttpServerOptions } from "./http-server";
export { listenerRoute, readBody, sendJson, type HttpRoute } from "./http-route";
export { healthRoute, type HealthReport } from "./health-route";
export { metricsRoute, type Scrape } from "./metrics-route";
export { alertRoutes, pagerDutySignatureMatches, type AlertRouteOptions } from "./alert-routes";
export { incidentPageRoutes, type IncidentPageOptions } from "./page/incident-page-routes";
export { incidentPageLinks, pageCredential } from "./page/page-credential";
