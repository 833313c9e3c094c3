import { startPrivateRedis, type PrivateRedis } from "../../support/redis-server";
import { alertGroup, postAlertmanager, startAlertBot, type AlertBot } from "./alert-harness";
import { waitFor } from "../lifecycle/runtime";

/**
 * Alertmanager retries a delivery that got a 5xx. With Redis gone nothing can be stored, so the
 * answer is 503 at once (not a request hanging on the reconnect); once Redis is back the retry
 * declares the incident.
 */
describe("an Alertmanager delivery while Redis is down", () => {
  let redis: PrivateRedis;
  let bot: AlertBot;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    bot = await startAlertBot({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await bot?.close();
    await redis?.stop();
  });

  test("gets 503 and stores nothing, and the retry after Redis is back declares", async () => {
    const port = Number(new URL(redis.url).port);
    await redis.stop();
    const refused = await postAlertmanager(bot.url, alertGroup("while-down"));
    expect(refused.status).toBe(503);
    redis = await startPrivateRedis(port);
    const retried = await waitFor("a retry that is not refused", async () => {
      const response = await postAlertmanager(bot.url, alertGroup("while-down"));
      return response.status === 503 ? null : response;
    });
    expect(retried.status).toBe(201);
    const { incidentId } = (await retried.json()) as { incidentId: string };
    expect(await bot.incident(incidentId)).toMatchObject({ state: "open" });
  }, 60_000);
});
