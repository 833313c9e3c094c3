import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBotProcess, waitUntilListening, type BotProcess } from "../../../bench/bot-process";
import { startFakeSlack, type FakeSlack } from "../../fakes/fake-slack";
import { freePort } from "../../support/free-port";
import { testRedisUrl, uniquePrefix } from "../../support/redis";
import { postSlashCommand } from "../../support/slack-signing";

const BOT_TOKEN = "xoxb-4242-4242-logtestsecrettoken";
const SIGNING_SECRET = "log-test-signing-secret-9f8e7d";

/**
 * `npm start` as an operator runs it, its stdout captured: every line is one JSON object with
 * level, time and msg, and neither the bot token nor the signing secret shows up anywhere, even at
 * LOG_LEVEL=debug where Bolt and the Web API client say the most.
 */
describe("the log of a running bot", () => {
  let slack: FakeSlack;
  let bot: BotProcess;
  let dir: string;

  beforeAll(async () => {
    slack = await startFakeSlack({ token: BOT_TOKEN });
    dir = mkdtempSync(join(tmpdir(), "incident-bot-logs-"));
    writeFileSync(join(dir, "inventory.yml"), "hosts: {}\n");
    const port = await freePort();
    bot = startBotProcess({
      slack,
      signingSecret: SIGNING_SECRET,
      redisUrl: testRedisUrl(),
      port,
      inventoryPath: join(dir, "inventory.yml"),
      env: { LOG_LEVEL: "debug", REDIS_PREFIX: uniquePrefix("logs") },
      captureStdout: true,
    });
    const url = `http://127.0.0.1:${port}/slack/events`;
    await waitUntilListening(url, bot, SIGNING_SECRET);
    const declare = {
      text: "declare Logs carry no secrets sev2",
      user_id: "ULOGS",
      channel_id: "COPS",
      response_url: slack.responseUrl(),
    };
    expect((await postSlashCommand(url, declare, { secret: SIGNING_SECRET })).status).toBe(200);
    // A forged request: Bolt refuses it and says so in the log.
    expect((await postSlashCommand(url, declare, { secret: "not-the-secret" })).status).toBe(401);
    await slack.waitFor(() => slack.state.channels.size > 0, "the incident channel");
    await bot.stop();
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await slack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = () =>
    bot.stdout
      .join("")
      .split("\n")
      .filter((line) => line !== "");

  test("every line on stdout is a JSON object with level, time and msg", () => {
    expect(lines().length).toBeGreaterThan(2);
    for (const line of lines()) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toEqual(
        expect.objectContaining({
          level: expect.any(String),
          time: expect.any(Number),
          msg: expect.any(String),
        }),
      );
    }
  });

  test("start-up, Bolt's own messages and shutdown are in it", () => {
    const messages = lines().map((line) => JSON.parse(line) as { msg: string; component?: string });
    expect(messages.map((m) => m.msg)).toEqual(
      expect.arrayContaining(["incident-bot started", "shutting down"]),
    );
    expect(messages.some((m) => m.component === "slack")).toBe(true);
  });

  test("neither the bot token nor the signing secret appears, on stdout or stderr", () => {
    const everything = bot.stdout.join("") + bot.errors.join("");
    expect(everything).not.toContain(BOT_TOKEN);
    expect(everything).not.toContain(SIGNING_SECRET);
    expect(everything).not.toMatch(/xoxb-/);
  });
});
