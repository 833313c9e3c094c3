import { LogLevel } from "@slack/bolt";
import {
  createSlackApp,
  createSlackClient,
  SlackChat,
  slackIncidentService,
  type SlackApp,
} from "../../src/adapters/slack";
import { loadConfig } from "../../src/config/env";
import { startRuntime, type Runtime } from "../../src/main";
import type { PlaybookRunner } from "../../src/ports/playbook-runner";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";
import { freePort } from "../support/free-port";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { postSlashCommand } from "../support/slack-signing";
import { serveSlackApp } from "../support/slack-http";
import type { HttpServer } from "../../src/adapters/http";

const SECRET = "outage-signing-secret";

/** No playbooks here: these incidents name no hosts, so nothing runs over SSH. */
const noRunner: PlaybookRunner = {
  getPlaybook: async () => null,
  resolveHosts: async () => [],
  runHostSteps: () => Promise.reject(new Error("no playbooks in this test")),
  runRemediation: () => Promise.reject(new Error("no playbooks in this test")),
  planCommands: () => [],
};

describe("declaring while Slack's Web API is down (real Redis and workers, fake Slack)", () => {
  let slack: FakeSlack;
  let runtime: Runtime;
  let bot: SlackApp;
  let eventsUrl: string;
  let server: HttpServer;

  beforeEach(async () => {
    slack = await startFakeSlack();
    const loaded = loadConfig({ REDIS_URL: testRedisUrl(), INCIDENT_RESPONDERS: "URESPONDER" });
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const slackOptions = {
      botToken: slack.token,
      apiUrl: slack.apiUrl,
      retryConfig: { retries: 1, minTimeout: 20, maxTimeout: 50 },
      logLevel: LogLevel.ERROR,
    };
    runtime = await startRuntime({
      config: loaded.config,
      chat: new SlackChat(createSlackClient(slackOptions), { minPostIntervalMs: 0 }),
      runner: noRunner,
      keyPrefix: uniquePrefix("slack-outage"),
      queue: { announceBackoffMs: 100, announceAttempts: 15 },
      log: () => undefined,
    });
    const port = await freePort();
    bot = createSlackApp({
      ...slackOptions,
      signingSecret: SECRET,
      service: slackIncidentService(runtime.deps),
    });
    // Slack is already down when the bot starts: it starts anyway.
    slack.startOutage();
    await bot.start();
    server = await serveSlackApp(bot, port);
    eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  });

  afterEach(async () => {
    await server.close();
    await bot.stop();
    await runtime.close();
    await slack.stop();
  });

  test("the command is still acknowledged, and once Slack is back there is one channel with one pinned card", async () => {
    const response = await postSlashCommand(
      eventsUrl,
      {
        text: "declare checkout down sev1",
        user_id: "UALICE",
        channel_id: "COPS",
        response_url: slack.responseUrl(),
      },
      { secret: SECRET },
    );
    expect(response.status).toBe(200);
    const reply = await slack.waitFor(() => slack.state.responses[0], "the declare reply");
    expect(String(reply.body.text)).toContain("channel opens shortly");
    const [incident] = await runtime.deps.incidents.list({ openOnly: true, limit: 5 });
    if (!incident) throw new Error("the incident was not saved during the outage");
    expect(incident.channel).toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 1000));
    slack.endOutage();

    const pinned = await slack.waitFor(
      () => slack.state.messages.find((message) => message.pinned),
      "the pinned card after the outage",
    );
    const channels = [...slack.state.channels.values()].filter((c) => c.name.startsWith("inc-"));
    expect(channels).toHaveLength(1);
    expect(pinned.channel).toBe(channels[0]?.id);
    expect([...(channels[0]?.members ?? [])]).toEqual(
      expect.arrayContaining(["UALICE", "URESPONDER"]),
    );
    // Give late retries a moment: still one card.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slack.state.history(pinned.channel)).toHaveLength(1);
    const stored = await runtime.deps.incidents.get(incident.id);
    expect(stored?.messageRef).toBe(`${pinned.channel}/${pinned.ts}`);
  });
});
