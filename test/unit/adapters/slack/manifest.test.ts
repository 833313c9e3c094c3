import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

interface Manifest {
  features: { slash_commands: Array<{ command: string; url: string; should_escape: boolean }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions: { request_url: string; bot_events: string[] };
  };
}

const manifest = parse(
  readFileSync(join(__dirname, "../../../../slack/manifest.yml"), "utf8"),
) as Manifest;

describe("the Slack app manifest", () => {
  test("declares /incident with escaped mentions on Bolt's /slack/events", () => {
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: "/incident", should_escape: true });
    expect(command?.url).toMatch(/\/slack\/events$/);
  });

  test("turns interactivity on for the approval buttons", () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  test("asks for every scope the Web API calls of SlackChat need", () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        "commands",
        "channels:manage",
        "chat:write",
        "pins:write",
        "files:write",
        "app_mentions:read",
      ]),
    );
  });

  test("subscribes to the bot events it listens to", () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_mention"]);
  });
});
