import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson, type HttpRoute } from "./http-route";

export interface HttpServerOptions {
  port: number;
  /** Default: every interface, as Bolt's own receiver listened. */
  host?: string;
  routes: readonly HttpRoute[];
  log?: (message: string, details?: Record<string, unknown>) => void;
}

export interface HttpServer {
  /** The port listened on (PORT, or the kernel's choice for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * The one server on PORT: Bolt's /slack/events (HTTP mode), /healthz, /metrics and the alert
 * webhooks side by side. It only moves requests to routes; what a route means lives in its
 * handler. Unknown paths get 404, a known path with another method 405.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const server = createServer((request, response) => dispatch(options, request, response));
  await listen(server, options.port, options.host);
  return {
    port: (server.address() as AddressInfo).port,
    close: () => close(server),
  };
}

function dispatch(options: HttpServerOptions, request: IncomingMessage, response: ServerResponse) {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const onPath = options.routes.filter((route) =>
    route.prefix ? path.startsWith(route.path) : route.path === path,
  );
  const route = onPath.find((candidate) => candidate.method === request.method);
  if (!route) {
    if (onPath.length > 0) response.setHeader("allow", onPath.map((r) => r.method).join(", "));
    sendJson(response, onPath.length > 0 ? 405 : 404, { error: "no such route" });
    return;
  }
  Promise.resolve()
    .then(() => route.handle(request, response))
    .catch((error: unknown) => {
      options.log?.("http route failed", { path, error: String(error) });
      if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
      else response.end();
    });
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Stops accepting, lets requests in flight finish, and drops idle keep-alive connections. */
function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
