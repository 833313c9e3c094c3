import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type * as webApi from "@slack/web-api";

type FetchFunction = NonNullable<webApi.WebClientOptions["fetch"]>;
type FetchInit = NonNullable<Parameters<FetchFunction>[1]>;
type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * The Web API client's transport over node:http(s) with kept-alive connections, in place of the
 * global fetch. Every card, thread reply and channel the bot opens is one call, and the global
 * fetch spends about twice the CPU per call (its streams and WHATWG objects): with the alert
 * routes, the Slack acks and the workers on one event loop, that CPU is what a burst waits on.
 * The client's contract is small (WebClientOptions.fetch: POST a string body, read status,
 * headers and text) and stays the client's: retries, 429 pauses and errors are still its own.
 * A multipart body (file uploads) goes to the global fetch, which builds its boundary.
 */
export function slackTransport(): FetchFunction {
  const agents = {
    "http:": new HttpAgent({ keepAlive: true }),
    "https:": new HttpsAgent({ keepAlive: true }),
  };
  return (url, init = {}) => {
    const target = typeof url === "string" ? new URL(url) : url;
    const body = init.body;
    if (
      (body !== undefined && typeof body !== "string") ||
      (target.protocol !== "http:" && target.protocol !== "https:")
    ) {
      return globalThis.fetch(target, init);
    }
    return send(target, { ...init, body }, agents[target.protocol]);
  };
}

function send(
  url: URL,
  init: FetchInit & { body?: string },
  agent: HttpAgent | HttpsAgent,
): Promise<FetchResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) return reject(abortReason(signal));
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: init.method ?? "GET",
      headers: {
        ...init.headers,
        ...(init.body !== undefined ? { "content-length": Buffer.byteLength(init.body) } : {}),
      },
      agent,
    });
    const onAbort = () => request.destroy(abortReason(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(fetchResponse(url, response, Buffer.concat(chunks)));
      });
      response.on("error", reject);
    });
    request.on("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    request.end(init.body);
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error("the request was aborted");
}

/** What the client reads of a response: status, headers (retry-after, scopes) and the body. */
function fetchResponse(url: URL, response: IncomingMessage, body: Buffer): FetchResponse {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const status = response.statusCode ?? 0;
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: response.statusMessage ?? "",
    url: url.href,
    headers: {
      get: (name) => headers.get(name.toLowerCase()) ?? null,
      entries: () => headers.entries(),
    },
    arrayBuffer: () => Promise.resolve(new Uint8Array(body).buffer),
    json: () => Promise.resolve(JSON.parse(body.toString("utf8")) as unknown),
    text: () => Promise.resolve(body.toString("utf8")),
  };
}
