import { createHmac } from "node:crypto";
import { testRedisUrl } from "../../support/redis";
import { fixture, PD_SECRET, startAlertBot, type AlertBot } from "./alert-harness";
import { waitFor } from "../lifecycle/runtime";

const sign = (body: string, secret = PD_SECRET) =>
  `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

function post(url: string, body: string, signature: string | null): Promise<Response> {
  return fetch(`${url}/alerts/pagerduty`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature === null ? {} : { "x-pagerduty-signature": signature }),
    },
    body,
  });
}

/** A triggered event of the fixture, for another PagerDuty incident and event id. */
function event(eventId: string, incidentId: string, type = "incident.triggered"): string {
  const payload = fixture("pagerduty-triggered.json") as {
    event: { id: string; event_type: string; data: Record<string, unknown> };
  };
  payload.event.id = eventId;
  payload.event.event_type = type;
  payload.event.data = { ...payload.event.data, id: incidentId, status: type.split(".")[1] };
  return JSON.stringify(payload);
}

describe("POST /alerts/pagerduty (webhooks v3)", () => {
  let bot: AlertBot;

  beforeAll(async () => {
    bot = await startAlertBot({ redisUrl: testRedisUrl() });
  });
  afterAll(() => bot.close());

  const incident = (id: string | null) => bot.incident(id);
  const messagesIn = (channel: string | null) => bot.messagesIn(channel);

  test("a signed incident.triggered declares, with PagerDuty's priority and a link back", async () => {
    const body = JSON.stringify(fixture("pagerduty-triggered.json"));
    const response = await post(bot.url, body, sign(body));
    expect(response.status).toBe(201);
    const { incidentId } = (await response.json()) as { incidentId: string };
    expect(await incident(incidentId)).toMatchObject({
      title: "Edge returns 502 <@U0ADMIN>",
      severity: "sev1",
      commander: null,
      hosts: ["proxy-3"],
      source: { integration: "pagerduty", dedupeKey: "Q2TJWP8JMKVQ4R" },
    });
    const opened = await waitFor("the alert's message", async () => {
      const current = await incident(incidentId);
      return messagesIn(current.channel).find((text) => text.includes("Opened by PagerDuty"));
    });
    expect(opened).toContain("<https://acme.pagerduty.com/incidents/Q2TJWP8JMKVQ4R|");
    expect(opened).toContain("&lt;@U0ADMIN&gt;");
  });

  test("the same event delivered again is recognised by its id and changes nothing", async () => {
    const body = event("EVT-DUP-1", "PDUP1");
    expect((await post(bot.url, body, sign(body))).status).toBe(201);
    const again = await post(bot.url, body, sign(body));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate", incidentId: null });
  });

  test("incident.resolved is told in the channel; the incident stays open", async () => {
    const triggered = event("EVT-RES-1", "PRES1");
    const { incidentId } = (await (await post(bot.url, triggered, sign(triggered))).json()) as {
      incidentId: string;
    };
    const resolved = event("EVT-RES-2", "PRES1", "incident.resolved");
    const response = await post(bot.url, resolved, sign(resolved));
    expect(await response.json()).toEqual({ status: "resolved", incidentId });
    await waitFor("the resolution in the channel", async () => {
      const current = await incident(incidentId);
      return messagesIn(current.channel).find((text) => text.includes("is resolved"));
    });
    expect((await incident(incidentId)).state).toBe("open");
  });

  test("during a secret rotation any one of several signatures is enough", async () => {
    const body = event("EVT-ROT-1", "PROT1");
    const header = `${sign(body, "the-old-secret")},${sign(body)}`;
    expect((await post(bot.url, body, header)).status).toBe(201);
  });

  test("a missing or wrong signature gets 401 and declares nothing", async () => {
    const body = event("EVT-BAD-1", "PBAD1");
    expect((await post(bot.url, body, null)).status).toBe(401);
    expect((await post(bot.url, body, sign(body, "not-the-secret"))).status).toBe(401);
    // The signature covers the exact bytes: a body changed after signing is refused.
    expect((await post(bot.url, body.replace("PBAD1", "PBAD2"), sign(body))).status).toBe(401);
    const all = await bot.runtime.deps.incidents.list({ openOnly: false, limit: 1000 });
    expect(
      all.filter((i) => i.source?.kind === "integration" && i.source.dedupeKey.startsWith("PBAD")),
    ).toEqual([]);
  });

  test("event types the bot does not act on are acknowledged and ignored", async () => {
    const body = event("EVT-ACK-1", "PACK1", "incident.acknowledged");
    const response = await post(bot.url, body, sign(body));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "ignored" });
  });

  test("a signed body that is not a v3 webhook gets 400 with zod's issues", async () => {
    const body = JSON.stringify({ messages: [{ event: "incident.trigger" }] });
    const response = await post(bot.url, body, sign(body));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
  });
});
