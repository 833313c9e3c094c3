import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * One route of the server on PORT: a method, a path (the query is ignored) and a handler. The
 * path is exact, or with `prefix` every path under it (`/incidents/` takes `/incidents/<id>`).
 */
export interface HttpRoute {
  method: "GET" | "POST";
  path: string;
  prefix?: boolean;
  handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
}

/** Request bodies larger than this are refused with 413: no webhook the bot takes comes close. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  readonly code = "body-too-large";
  readonly retryable = false;
}

/** The raw body (signatures are computed over the exact bytes), up to `limit` bytes. */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body over ${limit} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}

/** A route handled by another library's own request listener (Bolt's /slack/events). */
export function listenerRoute(
  method: HttpRoute["method"],
  path: string,
  listener: (request: IncomingMessage, response: ServerResponse) => void,
): HttpRoute {
  return { method, path, handle: (request, response) => listener(request, response) };
}
