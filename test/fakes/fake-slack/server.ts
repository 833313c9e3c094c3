import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { APP_TOKEN_METHODS, methods, SlackMethodError, type Args } from "./methods";
import {
  FakeSocketMode,
  type FakeSocketConnection,
  type SocketEnvelopeType,
  type SocketModeAck,
} from "./socket-mode";
import { FakeSlackState } from "./state";

/**
 * A fake Slack Web API on 127.0.0.1 for integration tests and the bench. Pass `apiUrl` to Bolt as
 * `clientOptions.slackApiUrl` (SLACK_API_URL). It checks the token, answers like Slack, records
 * every call, keeps channels and messages, serves the file-upload URL and the `response_url`s, and
 * fails on demand: 5xx for the next N calls of a method, 429 with Retry-After, or a full outage.
 * It also plays Slack's side of Socket Mode (see socket-mode.ts) for an app given the app token.
 */
export interface RecordedCall {
  method: string;
  args: Args;
  at: number;
  /** HTTP status the fake answered with. */
  status: number;
  ok: boolean;
  error?: string;
}

export interface FakeSlackOptions {
  /** The bot token (xoxb-) every Web API method but apps.connections.open accepts. */
  token?: string;
  /** The app-level token (xapp-) apps.connections.open accepts, and nothing else does. */
  appToken?: string;
  botUserId?: string;
}

interface Injected {
  method: string;
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
}

export class FakeSlack {
  readonly state: FakeSlackState;
  readonly calls: RecordedCall[] = [];
  readonly token: string;
  readonly appToken: string;
  readonly socketMode = new FakeSocketMode();
  private readonly injected: Injected[] = [];
  private outageOn = false;
  private server: Server | null = null;
  private port = 0;

  constructor(options: FakeSlackOptions = {}) {
    this.token = options.token ?? "xoxb-fake-token";
    this.appToken = options.appToken ?? "xapp-fake-token";
    this.state = new FakeSlackState(options.botUserId ?? "UBOT0001");
  }

  /** Base URL of the fake, ending in `/`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** The Web API base URL, ending in `/api/` like Slack's. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  /** A fresh `response_url` whose posts are recorded in `state.responses`. */
  responseUrl(id = this.state.nextId("R")): string {
    return `${this.baseUrl}respond/${id}`;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { "content-type": "text/plain" });
        response.end(String(error));
      });
    });
    this.socketMode.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    // Upgraded sockets are no longer the HTTP server's to close, but close() waits for them.
    await this.socketMode.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` calls of `method` ("*" for any) answer with HTTP `status` (default 500). */
  failNext(method: string, count = 1, status = 500): void {
    this.injected.push({ method, remaining: count, status });
  }

  /** The next `count` calls of `method` answer 429 with `Retry-After: seconds`. */
  rateLimitNext(method: string, count = 1, retryAfterSeconds = 1): void {
    this.injected.push({ method, remaining: count, status: 429, retryAfterSeconds });
  }

  /** Every Web API call answers 503 until `endOutage()`. */
  startOutage(): void {
    this.outageOn = true;
  }

  endOutage(): void {
    this.outageOn = false;
  }

  /** Successful calls of one method. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && call.ok);
  }

  /** Resolves once an app holds a Socket Mode connection and has been sent `hello`. */
  waitForSocket(timeoutMs = 10_000): Promise<FakeSocketConnection> {
    return this.waitFor(
      () => this.socketMode.openConnections().find((connection) => connection.helloSentAt !== null),
      "a Socket Mode connection",
      timeoutMs,
    );
  }

  /** Every Socket Mode connection an app opened, closed ones included, oldest first. */
  get socketConnections(): readonly FakeSocketConnection[] {
    return this.socketMode.connections;
  }

  /** Sends a Socket Mode envelope to the connected app; resolves with its ack. */
  sendEnvelope(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<SocketModeAck> {
    return this.socketMode.sendEnvelope(type, payload, timeoutMs);
  }

  /** Resolves once `predicate` holds, polling; for waiting on asynchronous work of the bot. */
  async waitFor<T>(
    predicate: () => T | undefined | null | false,
    what: string,
    timeoutMs = 20_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`fake Slack: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = new URL(request.url ?? "/", this.baseUrl).pathname;
    if (path.startsWith("/api/")) return this.handleMethod(path.slice(5), request, body, response);
    if (path.startsWith("/upload/"))
      return this.handleUpload(path.slice(8), request, body, response);
    if (path.startsWith("/respond/")) {
      this.state.responses.push({ id: path.slice(9), body: parseJsonObject(body) });
      return send(response, 200, "ok", "text/plain");
    }
    return send(response, 404, "not found", "text/plain");
  }

  private async handleMethod(
    method: string,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const args = await parseArgs(request, body);
    const record = (status: number, ok: boolean, error?: string) =>
      this.calls.push({ method, args: redact(args), at: Date.now(), status, ok, error });
    const failure = this.takeFailure(method);
    if (failure) {
      record(failure.status, false, `http_${failure.status}`);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (failure.retryAfterSeconds !== undefined) {
        headers["retry-after"] = String(failure.retryAfterSeconds);
      }
      response.writeHead(failure.status, headers);
      response.end(
        JSON.stringify({
          ok: false,
          error: failure.status === 429 ? "ratelimited" : "fatal_error",
        }),
      );
      return;
    }
    const result = this.answer(method, request, args);
    record(200, result.ok === true, typeof result.error === "string" ? result.error : undefined);
    send(response, 200, JSON.stringify(result), "application/json");
  }

  private answer(method: string, request: IncomingMessage, args: Args): Record<string, unknown> {
    const handler = methods[method];
    if (!handler) return { ok: false, error: "unknown_method" };
    const token = bearer(request) ?? (typeof args.token === "string" ? args.token : null);
    if (token === null) return { ok: false, error: "not_authed" };
    // Each method takes one kind of token; the other kind is refused like a wrong one.
    const accepted = APP_TOKEN_METHODS.has(method) ? this.appToken : this.token;
    if (token !== accepted) return { ok: false, error: "invalid_auth" };
    const context = {
      state: this.state,
      baseUrl: this.baseUrl,
      issueSocketTicket: () => this.socketMode.issueTicket(),
    };
    try {
      return { ok: true, ...handler(args, context) };
    } catch (error) {
      if (error instanceof SlackMethodError) return { ok: false, error: error.error };
      throw error;
    }
  }

  private async handleUpload(
    fileId: string,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const file = this.state.files.get(fileId);
    const failure = this.takeFailure("upload");
    if (failure) return send(response, failure.status, "upload failed", "text/plain");
    if (!file) return send(response, 404, "unknown upload", "text/plain");
    file.content = await uploadedContent(request, body);
    this.calls.push({
      method: "upload",
      args: { file: fileId },
      at: Date.now(),
      status: 200,
      ok: true,
    });
    send(response, 200, `OK - ${Buffer.byteLength(file.content)}`, "text/plain");
  }

  private takeFailure(method: string): Injected | null {
    if (this.outageOn) return { method, remaining: 1, status: 503 };
    const entry = this.injected.find(
      (item) => item.remaining > 0 && (item.method === method || item.method === "*"),
    );
    if (!entry) return null;
    entry.remaining -= 1;
    return entry;
  }
}

/** Starts a fake Slack on a free loopback port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(options).start();
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** The WebClient sends form-encoded bodies (objects as JSON strings); some clients send JSON. */
async function parseArgs(request: IncomingMessage, body: Buffer): Promise<Args> {
  const type = request.headers["content-type"] ?? "";
  if (type.includes("application/json")) return parseJsonObject(body);
  if (type.includes("multipart/form-data")) {
    const form = await toRequest(request, body).formData();
    return Object.fromEntries([...form.entries()].map(([key, value]) => [key, String(value)]));
  }
  return Object.fromEntries(new URLSearchParams(body.toString("utf8")).entries());
}

/** filesUploadV2 posts the bytes as multipart form data (field `body`), or raw. */
async function uploadedContent(request: IncomingMessage, body: Buffer): Promise<string> {
  const type = request.headers["content-type"] ?? "";
  if (!type.includes("multipart/form-data")) return body.toString("utf8");
  const form = await toRequest(request, body).formData();
  const [first] = [...form.values()];
  if (first === undefined) return "";
  return typeof first === "string" ? first : await first.text();
}

function toRequest(request: IncomingMessage, body: Buffer): Request {
  return new Request("http://fake.local/", {
    method: "POST",
    headers: { "content-type": request.headers["content-type"] ?? "" },
    body,
  });
}

function parseJsonObject(body: Buffer | string): Record<string, unknown> {
  try {
    const value = JSON.parse(body.toString()) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch (error) {
    return { unparsable: body.toString(), error: String(error) };
  }
}

function bearer(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer (.+)$/.exec(header) : null;
  return match?.[1] ?? null;
}

function redact(args: Args): Args {
  return "token" in args ? { ...args, token: "[redacted]" } : args;
}

function send(response: ServerResponse, status: number, body: string, type: string): void {
  response.writeHead(status, { "content-type": type });
  response.end(body);
}
