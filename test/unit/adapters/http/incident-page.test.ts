import { request } from "node:http";
import { startHttpServer, type HttpServer } from "../../../../src/adapters/http";
import { escapeHtml, html } from "../../../../src/adapters/http/page/html";
import { incidentPageRoutes } from "../../../../src/adapters/http/page/incident-page-routes";
import {
  credentialMatches,
  incidentPageLinks,
  pageCredential,
} from "../../../../src/adapters/http/page/page-credential";
import { renderIncidentPage } from "../../../../src/adapters/http/page/render-incident-page";
import { buildIncidentView } from "../../../../src/app/build-incident-view";
import { RUNBOOK_TARGETS } from "../../../../src/domain/key-figures";
import { InMemoryIncidentStore, InMemoryTimelineStore } from "../../../fakes/in-memory-ports";
import {
  HOSTILE,
  hostileEvents,
  hostileIncident,
  T0,
} from "../../../fixtures/incident-page/hostile-incident";

const settings = { phaseMinuteMs: 60_000, targets: RUNBOOK_TARGETS };
const SECRET = "page-secret-for-unit-tests-0123456789abcdef";
const page = (zone: string | null = null) =>
  renderIncidentPage(
    buildIncidentView(hostileIncident, hostileEvents(), T0 + 1_200_000, settings),
    {
      nonce: "N0NCE",
      zone,
      query: "?key=K",
    },
  );
const count = (text: string, needle: string | RegExp) => text.split(needle).length - 1;

describe("the html template escapes every value it is given", () => {
  it("turns markup, quotes and entities into text, and leaves SafeHtml alone", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
    expect(html`<p title="${'"onmouseover="x'}">${["<b>", html`<i>ok</i>`]}</p>`.value).toBe(
      '<p title="&quot;onmouseover=&quot;x">&lt;b&gt;<i>ok</i></p>',
    );
  });
});

describe("the incident page shows foreign text as text, in every field", () => {
  const text = page();

  it("leaves no raw hostile text anywhere", () => {
    expect(text).not.toContain(HOSTILE);
    for (const raw of ["<script>alert", "</style></title>", "<img", '"onmouseover', "<!-- ]]>"]) {
      expect(text).not.toContain(raw);
    }
    // Every `<` left is a tag of the page's own; none of them carries an event handler.
    expect(text).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
  });

  it("has exactly its own style and script, both with the response's nonce", () => {
    expect(count(text, "<script")).toBe(1);
    expect(count(text, '<script nonce="N0NCE">')).toBe(1);
    expect(count(text, "<style")).toBe(1);
    expect(count(text, '<style nonce="N0NCE">')).toBe(1);
    expect(text).not.toMatch(/\sstyle=/);
  });

  it("shows each field that carried the hostile text, escaped", () => {
    const shown = escapeHtml(HOSTILE);
    // title (twice: <title> and <h1>), summary, commander, hosts, step title, output, reason,
    // diagnosis summary, recommendation, evidence, approval title, commands, precheck, approver,
    // note, alert, status, the timeline's summaries and the host in the chart's legend.
    expect(count(text, shown)).toBeGreaterThanOrEqual(20);
    expect(text).toContain(`<p class="summary"><strong>Summary:</strong> summary ${shown}</p>`);
    expect(text).toContain(`<h3>proxy-${shown}</h3>`);
  });

  it("does not link a URL that is not http(s)", () => {
    expect(text).not.toContain("javascript:");
    expect(count(text, "<a ")).toBe(1); // the footer's reload
  });

  it("reloads with the page's own query, so the key comes along", () => {
    expect(text).toContain(`<a href="?key=K">reload</a>`);
  });

  it("folds long output in <details> and says how much was cut", () => {
    expect(text).toMatch(
      /<details><summary>\d+ lines<\/summary>\s*<p class="cut">\d+ earlier characters not shown<\/p>\s*<pre>/,
    );
  });

  it("draws the phases and the 5xx rate as inline SVG", () => {
    expect(count(text, "<svg")).toBe(2);
    expect(text).toContain("proxy-1: 10 of 20 requests answered 5xx");
  });

  it("writes the viewer's zone on the server when asked, and UTC always", () => {
    const paris = page("Europe/Paris");
    expect(paris).toContain('<th id="zone">Europe/Paris</th>');
    expect(paris).toContain(`<td class="local" data-at="${T0}">23:30:00</td>`);
    expect(paris).toContain(`<time datetime="${new Date(T0).toISOString()}">22:30:00</time>`);
  });
});

describe("the page's credential", () => {
  it("is per incident and keyed by the secret, compared whole", () => {
    const key = pageCredential(SECRET, "inc-20261122-a");
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(credentialMatches(SECRET, "inc-20261122-a", key)).toBe(true);
    expect(credentialMatches(SECRET, "inc-20261122-b", key)).toBe(false);
    expect(credentialMatches(`${SECRET}x`, "inc-20261122-a", key)).toBe(false);
    expect(credentialMatches(SECRET, "inc-20261122-a", key.slice(0, -1))).toBe(false);
    expect(incidentPageLinks("https://bot.example", SECRET).linkFor("inc-20261122-a")).toBe(
      `https://bot.example/incidents/inc-20261122-a?key=${key}`,
    );
  });
});

describe("GET /incidents/<id> and GET /incidents over HTTP", () => {
  let server: HttpServer;
  let listed: HttpServer;
  const other = { ...hostileIncident, id: "inc-20261122-other", state: "resolved" as const };

  beforeAll(async () => {
    const incidents = new InMemoryIncidentStore();
    const timeline = new InMemoryTimelineStore();
    await incidents.create(hostileIncident);
    await incidents.create(other);
    for (const e of hostileEvents()) await timeline.append(hostileIncident.id, e);
    const read = { incidents, timeline, clock: { now: () => T0 + 60_000 }, settings };
    const links = incidentPageLinks("", SECRET);
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      routes: incidentPageRoutes({ read, secret: SECRET, links }),
    });
    listed = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      routes: incidentPageRoutes({ read, secret: SECRET, links, listToken: "operator-token-0123" }),
    });
  });
  afterAll(async () => {
    await server.close();
    await listed.close();
  });

  const get = (port: number, path: string, headers: Record<string, string> = {}, method = "GET") =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on("error", reject);
        req.end();
      },
    );
  const pathOf = (id: string, key = pageCredential(SECRET, id)) => `/incidents/${id}?key=${key}`;

  it("serves the page with its credential, under a strict policy", async () => {
    const answer = await get(server.port, pathOf(hostileIncident.id));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(answer.headers["content-security-policy"]);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe");
    expect(answer.body).toContain(`<script nonce="${nonce}">`);
    expect(answer.headers["referrer-policy"]).toBe("no-referrer");
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    const again = await get(server.port, pathOf(hostileIncident.id));
    expect(String(again.headers["content-security-policy"])).not.toContain(nonce);
  });

  it("refuses without the credential, with a wrong one and with another incident's", async () => {
    expect((await get(server.port, `/incidents/${hostileIncident.id}`)).status).toBe(401);
    expect((await get(server.port, pathOf(hostileIncident.id, "x".repeat(43)))).status).toBe(403);
    const othersKey = pageCredential(SECRET, other.id);
    const answer = await get(server.port, pathOf(hostileIncident.id, othersKey));
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain("API 502s");
    expect((await get(server.port, pathOf("%2E%2E%2Fsecrets", othersKey))).status).toBe(403);
  });

  it("says 404 for an incident that does not exist only to a holder of its credential", async () => {
    expect((await get(server.port, pathOf("inc-20261122-none"))).status).toBe(404);
  });

  it("changes nothing over HTTP: other methods are refused", async () => {
    const answer = await get(server.port, pathOf(hostileIncident.id), {}, "POST");
    expect(answer.status).toBe(405);
  });

  it("lists incidents only for the operator's bearer token, and not at all without one", async () => {
    expect((await get(server.port, "/incidents")).status).toBe(404);
    expect((await get(listed.port, "/incidents")).status).toBe(401);
    const wrong = { authorization: "Bearer operator-token-0124" };
    expect((await get(listed.port, "/incidents", wrong)).status).toBe(401);
    const answer = await get(listed.port, "/incidents", {
      authorization: "Bearer operator-token-0123",
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`href="${pathOf(hostileIncident.id)}"`);
    expect(answer.body).toContain(`href="${pathOf(other.id)}"`);
    expect(answer.body).not.toContain(HOSTILE);
  });
});
