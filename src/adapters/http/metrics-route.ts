import type { HttpRoute } from "./http-route";

export type Scrape = () => Promise<{ contentType: string; body: string }>;

/** `GET /metrics`: the Prometheus text format, for a scraper on the private network. */
export function metricsRoute(scrape: Scrape): HttpRoute {
  return {
    method: "GET",
    path: "/metrics",
    handle: async (_request, response) => {
      const { contentType, body } = await scrape();
      response.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
      response.end(body);
    },
  };
}
