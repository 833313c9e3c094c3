import { webApi } from "@slack/bolt";
import { once } from "node:events";
import { WebSocket } from "ws";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";

const { WebClient, ErrorCode } = webApi;

describe("the fake Slack Web API answers the real WebClient like Slack", () => {
  let slack: FakeSlack;
  let client: InstanceType<typeof WebClient>;

  beforeEach(async () => {
    slack = await startFakeSlack();
    client = new WebClient(slack.token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 },
      logLevel: webApi.LogLevel.ERROR,
    });
  });

  afterEach(async () => {
    await slack.stop();
  });

  test("a wrong token is refused with invalid_auth", async () => {
    const stranger = new WebClient("xoxb-wrong", { slackApiUrl: slack.apiUrl });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
  });

  test("a channel is created, topped, invited to and a taken name is refused", async () => {
    const created = await client.conversations.create({ name: "inc-20261122-api-502" });
    const id = created.channel?.id ?? "";
    await client.conversations.setTopic({ channel: id, topic: "SEV1 api 502" });
    await client.conversations.setPurpose({ channel: id, purpose: "Incident" });
    await client.conversations.invite({ channel: id, users: "U1,U2" });
    const info = await client.conversations.info({ channel: id });
    expect(info.channel).toMatchObject({ name: "inc-20261122-api-502", num_members: 3 });
    expect(info.channel?.topic?.value).toBe("SEV1 api 502");
    await expect(
      client.conversations.create({ name: "inc-20261122-api-502" }),
    ).rejects.toMatchObject({ data: { error: "name_taken" } });
    await expect(client.conversations.create({ name: "Not Valid" })).rejects.toMatchObject({
      data: { error: "invalid_name_specials" },
    });
  });

  test("messages are posted, updated in place, pinned and threaded", async () => {
    const channel = (await client.conversations.create({ name: "inc-x" })).channel?.id ?? "";
    const posted = await client.chat.postMessage({ channel, text: "card", blocks: [] });
    const ts = posted.ts ?? "";
    await client.chat.update({ channel, ts, text: "card v2" });
    await client.pins.add({ channel, timestamp: ts });
    await client.chat.postMessage({ channel, text: "output", thread_ts: ts });
    expect(slack.state.message(channel, ts)).toMatchObject({ text: "card v2", pinned: true });
    expect(slack.state.replies(channel, ts)).toHaveLength(1);
    await expect(client.chat.update({ channel, ts: "1.000001", text: "x" })).rejects.toMatchObject({
      data: { error: "message_not_found" },
    });
    await expect(client.pins.add({ channel, timestamp: ts })).rejects.toMatchObject({
      data: { error: "already_pinned" },
    });
  });

  test("Slack's limits on blocks and text are enforced", async () => {
    const channel = (await client.conversations.create({ name: "inc-limits" })).channel?.id ?? "";
    const section = { type: "section", text: { type: "mrkdwn", text: "x" } };
    await expect(
      client.chat.postMessage({ channel, text: "t", blocks: Array(51).fill(section) }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    await expect(
      client.chat.postMessage({
        channel,
        text: "t",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }],
      }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    await expect(
      client.chat.postMessage({ channel, text: "x".repeat(40001) }),
    ).rejects.toMatchObject({ data: { error: "msg_too_long" } });
  });

  test("filesUploadV2 goes through the upload URL and lands in the channel", async () => {
    const channel = (await client.conversations.create({ name: "inc-files" })).channel?.id ?? "";
    await client.filesUploadV2({
      channel_id: channel,
      filename: "postmortem.md",
      title: "Postmortem",
      content: "# Postmortem\n\nAll good.",
    });
    const [file] = [...slack.state.files.values()];
    expect(file).toMatchObject({ title: "Postmortem", channels: [channel] });
    expect(file?.content).toBe("# Postmortem\n\nAll good.");
  });

  test("a 5xx is retried by the client and the message is posted once", async () => {
    const channel = (await client.conversations.create({ name: "inc-retry" })).channel?.id ?? "";
    slack.failNext("chat.postMessage", 2, 503);
    await client.chat.postMessage({ channel, text: "once" });
    expect(slack.calls.filter((call) => call.method === "chat.postMessage")).toHaveLength(3);
    expect(slack.state.history(channel).map((message) => message.text)).toEqual(["once"]);
  });

  test("a 429 carries Retry-After and the client waits and retries", async () => {
    const channel = (await client.conversations.create({ name: "inc-429" })).channel?.id ?? "";
    const limited: number[] = [];
    client.on(webApi.WebClientEvent.RATE_LIMITED, (seconds: number) => limited.push(seconds));
    slack.rateLimitNext("chat.postMessage", 1, 1);
    await client.chat.postMessage({ channel, text: "after the limit" });
    expect(limited).toEqual([1]);
    expect(slack.state.history(channel)).toHaveLength(1);
  });

  test("during an outage every call fails with 503 until it ends", async () => {
    const noRetry = new WebClient(slack.token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    slack.startOutage();
    await expect(noRetry.auth.test()).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
    slack.endOutage();
    await expect(noRetry.auth.test()).resolves.toMatchObject({ ok: true });
  });

  test("response_url posts are recorded", async () => {
    const url = slack.responseUrl("abc");
    await fetch(url, { method: "POST", body: JSON.stringify({ text: "only you" }) });
    expect(slack.state.responses).toEqual([{ id: "abc", body: { text: "only you" } }]);
  });
});

describe("the fake Slack plays Slack's side of Socket Mode", () => {
  let slack: FakeSlack;
  const clients: WebSocket[] = [];

  beforeEach(async () => {
    slack = await startFakeSlack();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await slack.stop();
  });

  const openSocketUrl = async (token: string): Promise<string> => {
    const client = new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const { url } = await client.apps.connections.open({});
    return url ?? "";
  };

  /** Connects like the app's socket client and resolves with the socket and its first message. */
  const connect = async (url: string): Promise<{ socket: WebSocket; first: unknown }> => {
    const socket = new WebSocket(url);
    clients.push(socket);
    const [data] = (await once(socket, "message")) as [Buffer];
    return { socket, first: JSON.parse(data.toString()) as unknown };
  };

  test("apps.connections.open takes the app token only and hands out a one-use URL", async () => {
    await expect(openSocketUrl(slack.token)).rejects.toMatchObject({
      data: { error: "invalid_auth" },
    });
    const url = await openSocketUrl(slack.appToken);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\?ticket=\d+$/);
    const { first } = await connect(url);
    expect(first).toEqual({
      type: "hello",
      num_connections: 1,
      debug_info: { host: "fake", build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: "A00000001" },
    });
    const reused = new WebSocket(url);
    clients.push(reused);
    // Waiting for "error" itself: `once` resolves with it instead of rejecting.
    const [error] = (await once(reused, "error")) as [Error];
    expect(error.message).toContain("401");
  });

  test("an envelope resolves with the app's ack; a missing ack fails after the timeout", async () => {
    const { socket } = await connect(await openSocketUrl(slack.appToken));
    await slack.waitForSocket();
    socket.on("message", (data: Buffer) => {
      const envelope = JSON.parse(data.toString()) as { envelope_id: string; type: string };
      if (envelope.type === "slash_commands") {
        socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: "hi" } }));
      }
    });
    const ack = await slack.sendEnvelope("slash_commands", { command: "/incident", text: "help" });
    expect(ack).toEqual({ envelope_id: expect.any(String), payload: { text: "hi" } });
    await expect(slack.sendEnvelope("interactive", { type: "block_actions" }, 200)).rejects.toThrow(
      /no ack for interactive envelope within 200 ms/,
    );
  });

  test("the fake records a normal close from the app", async () => {
    const { socket } = await connect(await openSocketUrl(slack.appToken));
    const connection = await slack.waitForSocket();
    socket.close(1000);
    await slack.waitFor(() => connection.closedAt !== null, "the close");
    expect(connection.closeCode).toBe(1000);
    expect(slack.socketMode.openConnections()).toEqual([]);
  });
});
