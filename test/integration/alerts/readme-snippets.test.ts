import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { testRedisUrl } from "../../support/redis";
import { fixture, PD_SECRET, startAlertBot, type AlertBot } from "./alert-harness";

const readme = readFileSync(join(__dirname, "../../../README.md"), "utf8");
const alertsSection = readme.slice(readme.indexOf("## Alerts"), readme.indexOf("## Inventory"));

function block(language: string): string {
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(
    alertsSection.replace(/^ {2}/gm, ""),
  );
  if (!match?.[1]) throw new Error(`no ${language} block in README's Alerts section`);
  return match[1];
}

interface WebhookConfig {
  url: string;
  send_resolved?: boolean;
  http_config: { authorization: { type?: string; credentials: string } };
}

/**
 * The set-ups README gives operators, tried against the code: Alertmanager's receiver as written
 * (its URL path and authorization) and PagerDuty's subscription (path and events) are accepted.
 */
describe("README's alert set-ups", () => {
  const alertmanager = parse(block("yaml")) as {
    receivers: { webhook_configs: WebhookConfig[] }[];
  };
  const webhook = alertmanager.receivers[0]?.webhook_configs[0] as WebhookConfig;
  const subscription = (
    JSON.parse(block("json")) as {
      webhook_subscription: { delivery_method: { url: string }; events: string[] };
    }
  ).webhook_subscription;
  let bot: AlertBot;

  beforeAll(async () => {
    bot = await startAlertBot({
      redisUrl: testRedisUrl(),
      env: { ALERT_WEBHOOK_TOKEN: webhook.http_config.authorization.credentials },
    });
  });
  afterAll(() => bot.close());

  test("Alertmanager's receiver, as written, declares", async () => {
    const { type = "Bearer", credentials } = webhook.http_config.authorization;
    expect(webhook.send_resolved).toBe(true);
    const response = await fetch(`${bot.url}${new URL(webhook.url).pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `${type} ${credentials}` },
      body: JSON.stringify(fixture("alertmanager-firing.json")),
    });
    expect(response.status).toBe(201);
  });

  test("PagerDuty's subscription names the route and the two events the bot acts on", async () => {
    expect(subscription.events.sort()).toEqual(["incident.resolved", "incident.triggered"]);
    const body = JSON.stringify(fixture("pagerduty-triggered.json"));
    const signature = `v1=${createHmac("sha256", PD_SECRET).update(body).digest("hex")}`;
    const response = await fetch(
      `${bot.url}${new URL(subscription.delivery_method.url).pathname}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-pagerduty-signature": signature },
        body,
      },
    );
    expect(response.status).toBe(201);
  });
});
