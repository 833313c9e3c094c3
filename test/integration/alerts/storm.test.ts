import { testRedisUrl } from "../../support/redis";
import { alertGroup, postAlertmanager, startAlertBot, type AlertBot } from "./alert-harness";
import { waitFor } from "../lifecycle/runtime";

interface Outcome {
  status: string;
  incidentId: string | null;
}

/**
 * Many groups firing at once must not open dozens of channels: past ALERT_STORM_LIMIT
 * alert-declared incidents in the window, new groups join the newest open one, which says so.
 */
describe("an alert storm", () => {
  let bot: AlertBot;

  beforeAll(async () => {
    bot = await startAlertBot({
      redisUrl: testRedisUrl(),
      env: { ALERT_STORM_LIMIT: "3", ALERT_STORM_WINDOW_MINUTES: "10" },
    });
  });
  afterAll(() => bot.close());

  test("ten groups at once open three incidents; the other seven are attached and told", async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postAlertmanager(bot.url, alertGroup(`storm-${i}`))),
    );
    const outcomes = (await Promise.all(responses.map((r) => r.json()))) as Outcome[];
    const count = (status: string) => outcomes.filter((o) => o.status === status).length;
    expect([count("declared"), count("attached")]).toEqual([3, 7]);
    const declaredIds = new Set(
      outcomes.filter((o) => o.status === "declared").map((o) => o.incidentId),
    );
    // Every attached group went to one of the storm's own incidents.
    for (const o of outcomes.filter((o) => o.status === "attached")) {
      expect(declaredIds.has(o.incidentId)).toBe(true);
    }
    await waitFor(
      "three channels",
      async () => bot.slack.callsOf("conversations.create").length >= 3,
    );
    const attachedTo = outcomes.find((o) => o.status === "attached")?.incidentId ?? "";
    await waitFor("the storm note in the channel", async () => {
      const incident = await bot.runtime.deps.incidents.get(attachedTo);
      return bot.slack.state.messages.some(
        (m) => m.channel === incident?.channel && m.text.includes("Alert storm"),
      );
    });
    expect(bot.slack.callsOf("conversations.create")).toHaveLength(3);
  });

  test("an attached group's repeat and resolution go to the incident it joined", async () => {
    const [first] = (await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        (await postAlertmanager(bot.url, alertGroup(`joined-${i}`))).json(),
      ),
    )) as Outcome[];
    expect(first).toBeDefined();
    const attached = (await (
      await postAlertmanager(bot.url, alertGroup("joined-late"))
    ).json()) as Outcome;
    expect(attached.status).toBe("attached");
    const again = (await (
      await postAlertmanager(bot.url, alertGroup("joined-late"))
    ).json()) as Outcome;
    expect(again).toEqual({ status: "repeat", incidentId: attached.incidentId });
    const over = await postAlertmanager(bot.url, alertGroup("joined-late", "resolved"));
    expect(await over.json()).toEqual({ status: "resolved", incidentId: attached.incidentId });
  });
});
