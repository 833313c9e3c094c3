import { LogLevel } from "@slack/bolt";
import { APPROVE_ACTION, DENY_ACTION } from "../../src/adapters/slack/blocks/approval-card";
import { MANUAL_DONE_ACTION } from "../../src/adapters/slack/blocks/incident-card";
import type { HealthReport, HttpServer } from "../../src/adapters/http";
import {
  createSlackApp,
  SlackConfigError,
  type SlackApp,
} from "../../src/adapters/slack/slack-app";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";
import { RecordingSlackService } from "../fakes/recording-slack-service";
import { expectNonApproverRefused } from "../support/slack-expectations";
import { freePort } from "../support/free-port";
import { postButtonClick, postSlashCommand } from "../support/slack-signing";
import { serveSlackApp } from "../support/slack-http";

const SECRET = "test-signing-secret";

describe("the Bolt app over HTTP, with signed requests and the fake Slack", () => {
  let slack: FakeSlack;
  let bot: SlackApp;
  let service: RecordingSlackService;
  let eventsUrl: string;
  let healthUrl: string;
  let health: HealthReport;
  let server: HttpServer;
  const errors: string[] = [];

  beforeEach(async () => {
    slack = await startFakeSlack();
    service = new RecordingSlackService();
    const port = await freePort();
    bot = createSlackApp({
      botToken: slack.token,
      signingSecret: SECRET,
      apiUrl: slack.apiUrl,
      service,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 20 },
      log: (message, details) => errors.push(`${message} ${JSON.stringify(details)}`),
    });
    await bot.start();
    server = await serveSlackApp(bot, port, async () => health);
    eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    healthUrl = `http://127.0.0.1:${port}/healthz`;
    health = { ok: true, checks: { redis: "ok" } };
  });

  afterEach(async () => {
    await server.close();
    await bot.stop();
    await slack.stop();
    errors.length = 0;
  });

  const command = (text: string, overrides: { user?: string; channel?: string } = {}) => ({
    text,
    user_id: overrides.user ?? "UDECLARER",
    channel_id: overrides.channel ?? "COPS",
    response_url: slack.responseUrl(),
  });

  test("GET /healthz says 200 when every check is ok and 503 naming the one that is not", async () => {
    const healthy = await fetch(healthUrl);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: "ok", checks: { redis: "ok" } });
    health = { ok: false, checks: { redis: "no answer within 2000 ms" } };
    const sick = await fetch(healthUrl);
    expect(sick.status).toBe(503);
    expect(await sick.json()).toEqual({
      status: "unavailable",
      checks: { redis: "failing" },
    });
  });

  test("a badly signed command gets 401 and reaches no listener", async () => {
    const response = await postSlashCommand(eventsUrl, command("declare API 502 sev1"), {
      secret: "not-the-secret",
    });
    expect(response.status).toBe(401);
    expect(service.commands).toHaveLength(0);
    expect(slack.calls.filter((call) => call.method !== "auth.test")).toHaveLength(0);
  });

  test("a replayed command with an old timestamp gets 401", async () => {
    const response = await postSlashCommand(eventsUrl, command("list"), {
      secret: SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 60 * 10,
    });
    expect(response.status).toBe(401);
    expect(service.commands).toHaveLength(0);
  });

  test("help is answered in the acknowledgement itself, privately", async () => {
    const response = await postSlashCommand(eventsUrl, command("help"), { secret: SECRET });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("/incident declare");
  });

  test("bad arguments get a short usage message and nothing else happens", async () => {
    const response = await postSlashCommand(eventsUrl, command("run ../../etc/passwd"), {
      secret: SECRET,
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("Usage: `/incident run PLAYBOOK"),
    });
    expect(service.commands).toHaveLength(0);
  });

  test("an incident command outside an incident channel is refused privately", async () => {
    const sent = command("resolve fixed it");
    const response = await postSlashCommand(eventsUrl, sent, { secret: SECRET });
    expect(response.status).toBe(200);
    const reply = await slack.waitFor(() => slack.state.responses[0], "the usage reply");
    expect(reply.body).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("works in an incident channel"),
    });
    expect(service.commands).toHaveLength(0);
  });

  test("a slow command is acknowledged at once and its reply follows on the response_url", async () => {
    service.delayMs = 4000;
    service.reply = { text: "Declared API 502" };
    const response = await postSlashCommand(eventsUrl, command("declare API 502 sev1"), {
      secret: SECRET,
    });
    expect(response.status).toBe(200);
    // Slack gives up after 3 s; the ack must not wait for the 4 s of work.
    expect(response.elapsedMs).toBeLessThan(3000);
    expect(service.commands[0]).toMatchObject({
      actor: { user: "UDECLARER", channel: "COPS" },
      command: { kind: "declare", title: "API 502", severity: "sev1" },
    });
    const reply = await slack.waitFor(() => slack.state.responses[0], "the declare reply");
    expect(reply.body).toMatchObject({ response_type: "ephemeral", text: "Declared API 502" });
  });

  test("commands in an incident channel reach the service with the mention resolved", async () => {
    await postSlashCommand(
      eventsUrl,
      command("commander <@UALICE|alice>", { channel: "CINCIDENT" }),
      { secret: SECRET },
    );
    await slack.waitFor(() => service.commands[0], "the command");
    expect(service.commands[0]?.command).toEqual({ kind: "commander", user: "UALICE" });
  });

  test("a failing command tells the person and ends in the one error handler", async () => {
    service.failWith = new Error("redis is down");
    await postSlashCommand(eventsUrl, command("list"), { secret: SECRET });
    const reply = await slack.waitFor(() => slack.state.responses[0], "the failure reply");
    expect(JSON.stringify(reply.body)).toContain("failed");
    await slack.waitFor(() => errors.length > 0, "the error handler");
    expect(errors[0]).toContain("redis is down");
  });

  const click = (user: string, actionId: string, value: string) => ({
    user_id: user,
    channel_id: "CINCIDENT",
    message_ts: "1700000000.000100",
    action_id: actionId,
    value,
    response_url: slack.responseUrl(),
  });
  const value = JSON.stringify({ approvalId: "apr-r1-reload", incidentId: "inc-20261122-x" });

  test("a non-approver's click is refused privately and the card stays", async () => {
    const response = await postButtonClick(eventsUrl, click("USTRANGER", APPROVE_ACTION, value), {
      secret: SECRET,
    });
    expect(response.status).toBe(200);
    await expectNonApproverRefused(slack, service, "apr-r1-reload");
  });

  test("an approver's approve and deny clicks reach the service", async () => {
    await postButtonClick(eventsUrl, click("UAPPROVER", DENY_ACTION, value), { secret: SECRET });
    await slack.waitFor(() => service.decisions[0], "the decision");
    expect(service.decisions[0]).toMatchObject({ decision: "deny", approvalId: "apr-r1-reload" });
    expect(slack.state.responses).toHaveLength(0);
  });

  test("a button with a forged value is refused without reaching the service", async () => {
    await postButtonClick(eventsUrl, click("UAPPROVER", APPROVE_ACTION, '{"approvalId":1}'), {
      secret: SECRET,
    });
    await slack.waitFor(() => slack.state.responses[0], "the refusal");
    expect(service.decisions).toHaveLength(0);
  });

  test("Done on a manual checklist item ticks it for the clicker", async () => {
    const done = JSON.stringify({ incidentId: "inc-20261122-x", stepId: "follow-up" });
    await postButtonClick(eventsUrl, click("UALICE", MANUAL_DONE_ACTION, done), {
      secret: SECRET,
    });
    await slack.waitFor(() => service.ticks[0], "the tick");
    expect(service.ticks[0]).toEqual({
      actor: { user: "UALICE", channel: "CINCIDENT" },
      incidentId: "inc-20261122-x",
      stepId: "follow-up",
    });
  });

  test("a badly signed click gets 401 and decides nothing", async () => {
    const response = await postButtonClick(eventsUrl, click("UAPPROVER", APPROVE_ACTION, value), {
      secret: "forged",
    });
    expect(response.status).toBe(401);
    expect(service.decisions).toHaveLength(0);
  });
});

describe("choosing how the app connects", () => {
  let slack: FakeSlack;

  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.stop());

  const base = () => ({
    botToken: slack.token,
    apiUrl: slack.apiUrl,
    service: new RecordingSlackService(),
    logLevel: LogLevel.ERROR,
  });

  test("an app token selects Socket Mode, with no signing secret needed", () => {
    const bot = createSlackApp({ ...base(), appToken: "xapp-1-fake" });
    expect(bot.mode).toBe("socket");
  });

  test("a token Slack refuses stops start-up with a clear, non-retryable error", async () => {
    const bot = createSlackApp({ ...base(), botToken: "xoxb-revoked", signingSecret: "s" });
    await expect(bot.start()).rejects.toThrow(/SLACK_BOT_TOKEN: Slack refused it/);
  });

  test("HTTP mode without a signing secret is refused with a clear, non-retryable error", () => {
    expect(() => createSlackApp(base())).toThrow(SlackConfigError);
    expect(() => createSlackApp(base())).toThrow(/SLACK_SIGNING_SECRET/);
  });
});
