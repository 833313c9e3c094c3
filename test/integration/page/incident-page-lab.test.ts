import { request } from "node:http";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { LogLevel } from "@slack/bolt";
import { startHttpServer, type HttpServer } from "../../../src/adapters/http";
import { pageCredential } from "../../../src/adapters/http/page/page-credential";
import { createSlackClient, SlackChat } from "../../../src/adapters/slack";
import { decideApproval } from "../../../src/app/decide-approval";
import { declareIncident } from "../../../src/app/declare-incident";
import { resolveIncident } from "../../../src/app/resolve-incident";
import { configFrom } from "../../../src/config/env";
import type { TimelineEvent } from "../../../src/domain/timeline";
import { pageRoutesOf, startRuntime, type Runtime } from "../../../src/main";
import { startFakeSlack, type FakeSlack } from "../../fakes/fake-slack";
import { up, type Lab } from "../../lab/lab";
import { screenshot } from "../../support/chromium";
import { testRedisUrl, uniquePrefix } from "../../support/redis";

/**
 * A real incident against the lab (two Apache proxies, one with its upstream stopped), run by the
 * real workers over SSH, approved and remediated; then its page is fetched over HTTP with the
 * link the card carried, without it, with a wrong one and with another incident's.
 */
const REPO = join(__dirname, "../../..");
const LONG = 240_000;
const PUBLIC_URL = "https://incident-bot.example";
const SECRET = "lab-page-secret-0123456789abcdef0123456789";
const TITLE = `API 502s <script>alert("title")</script>`;

function get(url: string): Promise<{ status: number; body: string; csp: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          csp: String(res.headers["content-security-policy"] ?? ""),
        }),
      );
    })
      .on("error", reject)
      .end();
  });
}

describe("the page of a real incident in the lab, over HTTP", () => {
  let lab: Lab;
  let slack: FakeSlack;
  let runtime: Runtime;
  let server: HttpServer;
  let base: string;

  beforeAll(async () => {
    lab = await up(2);
    await lab.break("proxy-1", "upstream-stopped");
    await lab.hit("proxy-1", 12);
    await lab.hit("proxy-2", 12);
    slack = await startFakeSlack();
    const config = configFrom({
      REDIS_URL: testRedisUrl(),
      INVENTORY: lab.inventoryPath,
      PLAYBOOKS_DIR: join(REPO, "playbooks"),
      INCIDENT_APPROVERS: "UBOB",
      PUBLIC_URL,
      INCIDENT_PAGE_SECRET: SECRET,
    });
    const chat = new SlackChat(
      createSlackClient({
        botToken: slack.token,
        apiUrl: slack.apiUrl,
        retryConfig: { retries: 2, minTimeout: 50, maxTimeout: 200 },
        logLevel: LogLevel.ERROR,
      }),
      { minPostIntervalMs: 20, minUpdateIntervalMs: 50 },
    );
    runtime = await startRuntime({
      config,
      chat,
      keyPrefix: uniquePrefix("page-lab"),
      log: () => undefined,
      queue: { announceBackoffMs: 200, announceAttempts: 12 },
      settings: { cardRefreshMs: 200 },
    });
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      routes: pageRoutesOf(config, runtime),
    });
    base = `http://127.0.0.1:${server.port}`;
  }, LONG);

  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await slack?.stop();
    await lab?.down();
  }, LONG);

  const timeline = (id: string): Promise<TimelineEvent[]> => runtime.deps.timeline.read(id);
  async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (const deadline = Date.now() + LONG; Date.now() < deadline;) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  /** The incident's link as the card carries it in Slack, moved onto the local server. */
  const linkIn = (text: string, id: string): string | undefined => {
    const match = new RegExp(`${PUBLIC_URL}/incidents/${id}\\?key=([A-Za-z0-9_-]+)`).exec(text);
    return match ? `${base}/incidents/${id}?key=${match[1]}` : undefined;
  };
  const sentToSlack = () => JSON.stringify(slack.calls.map((call) => call.args));

  it(
    "shows what happened, from the link on the card only",
    async () => {
      const declared = await declareIncident(runtime.deps, {
        title: TITLE,
        severity: "sev2",
        hosts: ["proxy-1", "proxy-2"],
        declaredBy: "UALICE",
      });
      if (!declared.ok) throw new Error(declared.message);
      const id = declared.value.incident.id;
      const link = await eventually("the card's link", async () => linkIn(sentToSlack(), id));

      const requested = await eventually("the approval request", async () =>
        (await timeline(id)).find((e) => e.type === "approval-requested"),
      );
      if (requested.type !== "approval-requested") throw new Error("not a request");
      await lab.fix("proxy-1");
      const decided = await decideApproval(runtime.deps, {
        approvalId: requested.details.approvalId,
        decision: "approved",
        by: "UBOB",
      });
      expect(decided.ok).toBe(true);
      await eventually("the remediation", async () =>
        (await timeline(id)).find((e) => e.type === "remediation-finished"),
      );

      const page = await get(link);
      expect(page.status).toBe(200);
      expect(page.csp).toContain("default-src 'none'");
      expect(page.body).toContain("API 502s &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;");
      expect(page.body).not.toContain('<script>alert("title")');
      expect(page.body).toMatch(/<code>upstream_refused<\/code> on proxy-1/);
      expect(page.body).toMatch(/<h4>Evidence on proxy-1<\/h4>\s*<pre>[^<]*AH0/);
      expect(page.body).toContain("<h3>proxy-1</h3>");
      expect(page.body).toContain("<h3>proxy-2</h3>");
      expect(page.body).toMatch(/approved by @UBOB at \d{4}-\d\d-\d\d/);
      expect(page.body).toMatch(
        /proxy-1 at [^:]+:\d\d:\d\d UTC: precheck ok, action ok, verification ok/,
      );
      expect(page.body).toMatch(/proxy-1: \d+ of \d+ requests answered 5xx/);
      expect(page.body).toMatch(/proxy-2: 0 of \d+ requests answered 5xx/);

      await mkdir(join(REPO, "test-artifacts"), { recursive: true });
      await screenshot(link, join(REPO, "test-artifacts", "incident-page-lab.png"));

      const refused = async (url: string) => (await get(url)).status;
      expect(await refused(`${base}/incidents/${id}`)).toBe(401);
      expect(await refused(`${base}/incidents/${id}?key=${"A".repeat(43)}`)).toBe(403);
      const others = pageCredential(SECRET, "inc-20261122-another-incident");
      expect(await refused(`${base}/incidents/${id}?key=${others}`)).toBe(403);
      expect((await get(`${base}/incidents/${id}?key=${others}`)).body).not.toContain("API 502s");

      const resolved = await resolveIncident(runtime.deps, {
        incident: { incidentId: id },
        by: "UALICE",
        summary: "upstream restarted",
      });
      expect(resolved.ok).toBe(true);
      await eventually("the resolve message with the link", async () =>
        slack.state.messages.find(
          (m) => m.text.startsWith("Resolved") && linkIn(m.text, id) !== undefined,
        ),
      );
      const after = await get(link);
      expect(after.body).toContain('<dd class="state state-resolved">resolved</dd>');
      expect(after.body).toContain('data-open="no"');
    },
    LONG,
  );
});
