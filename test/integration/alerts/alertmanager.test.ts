import { testRedisUrl } from "../../support/redis";
import { waitFor } from "../lifecycle/runtime";
import {
  alertGroup,
  fixture,
  postAlertmanager,
  startAlertBot,
  type AlertBot,
} from "./alert-harness";

interface Outcome {
  status: string;
  incidentId: string | null;
}

/**
 * Alertmanager's webhook (version 4) against the real routes on HTTP, the real use cases, Redis
 * and workers, and the fake Slack.
 */
describe("POST /alerts/alertmanager", () => {
  let bot: AlertBot;

  beforeAll(async () => {
    bot = await startAlertBot({ redisUrl: testRedisUrl() });
  });
  afterAll(() => bot.close());

  const incident = (id: string | null) => bot.incident(id);
  const messagesIn = (channel: string | null) => bot.messagesIn(channel);

  test("a firing group declares an incident from its labels, with no commander, and says so in the channel", async () => {
    const response = await postAlertmanager(bot.url, fixture("alertmanager-firing.json"));
    expect(response.status).toBe(201);
    const outcome = (await response.json()) as Outcome;
    expect(outcome.status).toBe("declared");
    const declared = await incident(outcome.incidentId);
    expect(declared).toMatchObject({
      title: "502s on proxy-1 <!channel> *now*",
      severity: "sev1",
      commander: null,
      // 10.0.0.11:9113 is proxy-1's address with a port; proxy-2 is named.
      hosts: ["proxy-1", "proxy-2"],
      source: {
        kind: "integration",
        integration: "alertmanager",
        dedupeKey: '{}/{job="apache"}:{alertname="ProxyHigh502Rate"}',
      },
    });
    const opened = await waitFor("the alert's message in the incident channel", async () => {
      const current = await incident(outcome.incidentId);
      return messagesIn(current.channel).find((text) => text.includes("Opened by Alertmanager"));
    });
    // A link back to Prometheus, and the alert's own markup shown, not obeyed.
    expect(opened).toContain("<http://prometheus.example:9090/graph?g0.expr=");
    expect(opened).toContain("&lt;!channel&gt;");
    expect(opened).not.toContain("<!channel>");
    const channel = bot.slack.state.channels.get(
      (await incident(outcome.incidentId)).channel ?? "",
    );
    expect([...(channel?.members ?? [])]).toContain("URESPONDER");
  });

  test("the same group again while its incident is open declares nothing and is recorded", async () => {
    const group = alertGroup("repeat-group");
    const first = (await (await postAlertmanager(bot.url, group)).json()) as Outcome;
    const again = await postAlertmanager(bot.url, group);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "repeat", incidentId: first.incidentId });
    const events = await bot.runtime.deps.timeline.read(first.incidentId ?? "");
    const alerts = events.filter((e) => e.type === "alert").map((e) => e.details);
    expect(alerts).toEqual([
      expect.objectContaining({ status: "firing" }),
      expect.objectContaining({ status: "repeat" }),
    ]);
  });

  test("ten deliveries of one group at the same moment make one incident", async () => {
    const group = alertGroup("concurrent-group");
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => postAlertmanager(bot.url, group)),
    );
    const outcomes = (await Promise.all(responses.map((r) => r.json()))) as Outcome[];
    expect(responses.map((r) => r.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    expect(new Set(outcomes.map((o) => o.incidentId)).size).toBe(1);
    await incident(outcomes[0]?.incidentId ?? null);
    const open = await bot.runtime.deps.incidents.list({ openOnly: true, limit: 100 });
    const ofGroup = open.filter(
      (i) => i.source?.kind === "integration" && i.source.dedupeKey === "concurrent-group",
    );
    expect(ofGroup).toHaveLength(1);
  });

  test("resolved is told in the channel and recorded; the incident stays open", async () => {
    const firing = (await (
      await postAlertmanager(bot.url, alertGroup("resolve-group"))
    ).json()) as Outcome;
    const resolved = await postAlertmanager(bot.url, alertGroup("resolve-group", "resolved"));
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toEqual({ status: "resolved", incidentId: firing.incidentId });
    await waitFor("the resolution in the channel", async () => {
      const current = await incident(firing.incidentId);
      return messagesIn(current.channel).find((text) => text.includes("is resolved"));
    });
    expect((await incident(firing.incidentId)).state).toBe("open");
  });

  test("a group whose hosts are not in the inventory runs on ALERT_DEFAULT_HOSTS", async () => {
    const group = alertGroup("unknown-hosts");
    const alerts = (group.alerts as unknown as { labels: Record<string, string> }[]).map((a) => ({
      ...a,
      labels: { ...a.labels, instance: "198.51.100.7:9100" },
    }));
    const outcome = (await (
      await postAlertmanager(bot.url, { ...group, alerts })
    ).json()) as Outcome;
    expect((await incident(outcome.incidentId)).hosts).toEqual(["proxy-3"]);
  });

  test("a wrong or missing token gets 401 and declares nothing", async () => {
    const before = (await bot.runtime.deps.incidents.list({ openOnly: false, limit: 1000 })).length;
    expect((await postAlertmanager(bot.url, alertGroup("no-token"), null)).status).toBe(401);
    expect((await postAlertmanager(bot.url, alertGroup("no-token"), "wrong")).status).toBe(401);
    const after = (await bot.runtime.deps.incidents.list({ openOnly: false, limit: 1000 })).length;
    expect(after).toBe(before);
  });

  test("a payload that will never parse gets 400 with zod's issues", async () => {
    const response = await postAlertmanager(bot.url, { ...alertGroup("bad"), version: "3" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: { path: string[] }[] };
    expect(body.issues).toEqual([expect.objectContaining({ path: ["version"] })]);
    expect((await postAlertmanager(bot.url, "{not json")).status).toBe(400);
  });

  test("every delivery is counted by what became of it", async () => {
    const { body } = await bot.runtime.metrics.scrape();
    expect(body).toMatch(
      /incident_bot_alerts_received_total\{source="alertmanager",status="declared"\} [1-9]/,
    );
    expect(body).toMatch(
      /incident_bot_alerts_received_total\{source="alertmanager",status="repeat"\} [1-9]/,
    );
    expect(body).toMatch(
      /incident_bot_alerts_received_total\{source="alertmanager",status="rejected"\} [1-9]/,
    );
    expect(body).toMatch(
      /incident_bot_incidents_declared_total\{source="alertmanager",severity="sev1"\} [1-9]/,
    );
  });
});

describe("POST /alerts/alertmanager without ALERT_WEBHOOK_TOKEN", () => {
  test("answers 404, as if there were no such route", async () => {
    const bot = await startAlertBot({ redisUrl: testRedisUrl(), env: { ALERT_WEBHOOK_TOKEN: "" } });
    try {
      expect((await postAlertmanager(bot.url, alertGroup("off"))).status).toBe(404);
    } finally {
      await bot.close();
    }
  });
});
