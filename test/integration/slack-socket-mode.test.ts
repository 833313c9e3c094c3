import { LogLevel } from "@slack/bolt";
import { APPROVE_ACTION } from "../../src/adapters/slack/blocks/approval-card";
import { createSlackApp, type SlackApp } from "../../src/adapters/slack/slack-app";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";
import { RecordingSlackService } from "../fakes/recording-slack-service";
import { expectNonApproverRefused } from "../support/slack-expectations";
import { freePort } from "../support/free-port";
import { blockActionPayload, slashCommandFields } from "../support/slack-signing";
import { serveSlackApp } from "../support/slack-http";

/**
 * Socket Mode as Slack drives it: the app asks apps.connections.open (app token) for a WebSocket
 * URL on the fake, connects, is greeted with `hello`, and then gets commands and clicks as
 * envelopes that it acknowledges on the same socket. No signing secret, no inbound port.
 */
describe("the Bolt app in Socket Mode, against the fake Slack's WebSocket", () => {
  let slack: FakeSlack;
  let bot: SlackApp;
  let service: RecordingSlackService;
  const errors: string[] = [];

  beforeEach(async () => {
    slack = await startFakeSlack();
    service = new RecordingSlackService();
    bot = createSlackApp({
      botToken: slack.token,
      appToken: slack.appToken,
      apiUrl: slack.apiUrl,
      service,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 20 },
      log: (message, details) => errors.push(`${message} ${JSON.stringify(details)}`),
    });
    await startWithin(bot, 15_000);
  });

  afterEach(async () => {
    await bot.stop();
    await slack.stop();
    errors.length = 0;
  });

  const command = (text: string, overrides: { user?: string; channel?: string } = {}) =>
    slashCommandFields({
      text,
      user_id: overrides.user ?? "UDECLARER",
      channel_id: overrides.channel ?? "COPS",
      response_url: slack.responseUrl(),
    });

  test("the app connects through the fake with the app token, and holds one socket", async () => {
    expect(bot.mode).toBe("socket");
    // The fake answers apps.connections.open only to the app token (the bot token gets
    // invalid_auth), so one successful call is the app token reaching SLACK_API_URL.
    const opens = slack.calls.filter((call) => call.method === "apps.connections.open");
    expect(opens).toEqual([expect.objectContaining({ ok: true, status: 200 })]);
    const connection = await slack.waitForSocket();
    expect(slack.socketMode.openConnections()).toEqual([connection]);
  });

  test("help is answered in the ack itself, privately", async () => {
    const ack = await slack.sendEnvelope("slash_commands", command("help"));
    expect(ack.payload).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("/incident declare"),
    });
    expect(service.commands).toHaveLength(0);
  });

  test("bad arguments get the usage text in the ack and nothing else happens", async () => {
    const ack = await slack.sendEnvelope("slash_commands", command("run ../../etc/passwd"));
    expect(ack.payload).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("Usage: `/incident run PLAYBOOK"),
    });
    expect(service.commands).toHaveLength(0);
    expect(slack.state.responses).toHaveLength(0);
  });

  test("a declare is acked empty and reaches the service with who and where", async () => {
    service.reply = { text: "Declared API 502" };
    const ack = await slack.sendEnvelope("slash_commands", command("declare API 502 sev1"));
    // An empty ack: the reply is not ready yet, so it follows on the response_url.
    expect(ack.payload ?? {}).toEqual({});
    const reply = await slack.waitFor(() => slack.state.responses[0], "the declare reply");
    expect(service.commands).toEqual([
      {
        actor: { user: "UDECLARER", channel: "COPS" },
        command: expect.objectContaining({ kind: "declare", title: "API 502", severity: "sev1" }),
      },
    ]);
    expect(reply.body).toMatchObject({ response_type: "ephemeral", text: "Declared API 502" });
  });

  test("a non-approver's click is acked and refused privately on the response_url", async () => {
    const value = JSON.stringify({ approvalId: "apr-r1-reload", incidentId: "inc-20261122-x" });
    const ack = await slack.sendEnvelope(
      "interactive",
      blockActionPayload({
        user_id: "USTRANGER",
        channel_id: "CINCIDENT",
        message_ts: "1700000000.000100",
        action_id: APPROVE_ACTION,
        value,
        response_url: slack.responseUrl(),
      }),
    );
    expect(ack.envelope_id).toEqual(expect.any(String));
    await expectNonApproverRefused(slack, service, "apr-r1-reload");
  });

  test("serves GET /healthz on PORT when asked to, though Slack needs no inbound port", async () => {
    const port = await freePort();
    const withHealth = createSlackApp({
      botToken: slack.token,
      appToken: slack.appToken,
      apiUrl: slack.apiUrl,
      service,
      logLevel: LogLevel.ERROR,
    });
    await startWithin(withHealth, 15_000);
    // The same server as in HTTP mode, without /slack/events (Slack comes over the socket).
    expect(withHealth.requestListener).toBeNull();
    const server = await serveSlackApp(withHealth, port, async () => ({
      ok: true,
      checks: { redis: "ok" },
    }));
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok", checks: { redis: "ok" } });
      expect(
        (await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST" })).status,
      ).toBe(404);
    } finally {
      await server.close();
      await withHealth.stop();
    }
  });

  test("stop() closes the socket with a normal close and the app does not reconnect", async () => {
    const connection = await slack.waitForSocket();
    await bot.stop();
    // The fake sees the TCP close a moment after the app's side of the handshake is done.
    await slack.waitFor(() => connection.closedAt !== null, "the socket to close");
    expect(connection.closeCode).toBe(1000);
    expect(slack.socketMode.openConnections()).toHaveLength(0);
    // A stopped app does not reconnect: no second apps.connections.open.
    expect(slack.calls.filter((call) => call.method === "apps.connections.open")).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

/**
 * bot.start() with a deadline and a message that says what broke: an app whose socket client does
 * not use SLACK_API_URL would keep retrying apps.connections.open at slack.com for minutes.
 */
async function startWithin(bot: SlackApp, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not connected through the fake's Socket Mode in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([bot.start(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
