import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LogLevel, WebClient } from "@slack/web-api";
import { slackTransport } from "../../src/adapters/slack/slack-transport";

/**
 * The Web API client's transport against a real HTTP server: what the client sends arrives as it
 * would through the global fetch, and what it reads of the answer (status, headers, body) comes
 * back; an abort (the client's timeout) ends the request.
 */
describe("the Slack transport over node:http", () => {
  let server: Server;
  let url: string;
  let handler: (request: IncomingMessage, body: string, response: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => handler(request, Buffer.concat(chunks).toString("utf8"), response));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it("sends the body and headers the client gives and returns status, headers and text", async () => {
    let seen: { method?: string; type?: string; length?: string; body?: string } = {};
    handler = (request, body, response) => {
      seen = {
        method: request.method,
        type: request.headers["content-type"],
        length: request.headers["content-length"],
        body,
      };
      response.writeHead(200, {
        "content-type": "application/json",
        "x-oauth-scopes": "chat:write",
      });
      response.end(JSON.stringify({ ok: true, text: "é ✓" }));
    };
    const fetch = slackTransport();
    const body = "channel=C1&text=%C3%A9";
    const answer = await fetch(`${url}chat.postMessage`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    expect(seen).toEqual({
      method: "POST",
      type: "application/x-www-form-urlencoded",
      length: String(Buffer.byteLength(body)),
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.ok).toBe(true);
    expect(answer.headers.get("X-OAuth-Scopes")).toBe("chat:write");
    expect(answer.headers.get("retry-after")).toBeNull();
    expect(await answer.json()).toEqual({ ok: true, text: "é ✓" });
    expect(new TextDecoder().decode(await answer.arrayBuffer())).toContain("é ✓");
  });

  it("carries the Web API client: a 429's Retry-After is honoured and the call then succeeds", async () => {
    let calls = 0;
    handler = (_request, _body, response) => {
      calls += 1;
      if (calls === 1) {
        response.writeHead(429, { "retry-after": "0" });
        response.end();
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ok: true, channel: "C9", ts: "1.2" }));
    };
    const client = new WebClient("xoxb-test", {
      slackApiUrl: url,
      fetch: slackTransport(),
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
    });
    const result = await client.chat.postMessage({ channel: "C9", text: "hi" });
    expect(result.ok).toBe(true);
    expect(result.ts).toBe("1.2");
    expect(calls).toBe(2);
  });

  it("ends a request when its signal aborts (the client's timeout)", async () => {
    handler = () => undefined; // never answers
    const fetch = slackTransport();
    const started = Date.now();
    await expect(
      fetch(`${url}conversations.create`, {
        method: "POST",
        body: "name=x",
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("refuses at once a signal already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    await expect(
      slackTransport()(`${url}auth.test`, { method: "POST", body: "", signal: controller.signal }),
    ).rejects.toThrow("gone");
  });
});
