import { announceEvent, refreshIncidentCard } from "../../../src/app/announce-event";
import { declareIncident } from "../../../src/app/declare-incident";
import { resolveIncident } from "../../../src/app/resolve-incident";
import { renderIncidentCard as renderShellCard } from "../../../src/adapters/shell/render-card";
import { renderIncidentCard as renderSlackCard } from "../../../src/adapters/slack/blocks/incident-card";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

const LINK = (id: string) => `https://bot.example/incidents/${id}?key=k-${id}`;

describe("the incident card and the resolve message carry the page's link", () => {
  let h: Harness;

  beforeEach(() => {
    h = lifecycleHarness({
      executor: new FakeRemoteExecutor().reply(() => ({ exitCode: 0, stdout: "ok\n" })),
      hosts: testHosts(["proxy-1"]),
    });
  });

  async function declared() {
    const result = await declareIncident(h.deps, {
      title: "Edge answers 502",
      severity: "sev2",
      hosts: ["proxy-1"],
      declaredBy: "U-DECL",
    });
    if (!result.ok) throw new Error(result.message);
    for (const job of [...h.queue.announcements]) await announceEvent(h.deps, job);
    return result.value.incident;
  }

  it("links when PUBLIC_URL is set, on Slack and in the shell", async () => {
    h.deps.pages = { linkFor: LINK };
    const incident = await declared();
    await refreshIncidentCard(h.deps, { incidentId: incident.id });
    const [card] = h.chat.of("updateIncidentCard").map((c) => c.card);
    expect(card?.pageUrl).toBe(LINK(incident.id));
    const slack = JSON.stringify(renderSlackCard(card!).blocks);
    expect(slack).toContain(`<${LINK(incident.id)}|Incident page>`);
    expect(renderShellCard(card!).get("page")).toBe(`  page: ${LINK(incident.id)}`);
    const resolved = await resolveIncident(h.deps, {
      incident: { incidentId: incident.id },
      by: "U-DECL",
    });
    if (!resolved.ok) throw new Error(resolved.message);
    const job = h.queue.announcements.find((a) => a.eventKey.startsWith("resolved"));
    await announceEvent(h.deps, job!);
    const message = h.chat.of("postMessage").at(-1);
    expect(message?.parts).toContainEqual({ link: LINK(incident.id), label: "Incident page" });
  });

  it("carries no link without PUBLIC_URL", async () => {
    const incident = await declared();
    await refreshIncidentCard(h.deps, { incidentId: incident.id });
    const [card] = h.chat.of("updateIncidentCard").map((c) => c.card);
    expect(card?.pageUrl).toBeNull();
    expect(JSON.stringify(renderSlackCard(card!).blocks)).not.toContain("Incident page");
    expect(renderShellCard(card!).has("page")).toBe(false);
  });
});
