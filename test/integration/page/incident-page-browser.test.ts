import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startHttpServer, type HttpServer } from "../../../src/adapters/http";
import { incidentPageRoutes } from "../../../src/adapters/http/page/incident-page-routes";
import { incidentPageLinks } from "../../../src/adapters/http/page/page-credential";
import { createRedisStores } from "../../../src/adapters/store";
import { RUNBOOK_TARGETS } from "../../../src/domain/key-figures";
import { dumpDom, screenshot } from "../../support/chromium";
import { testRedisUrl, uniquePrefix } from "../../support/redis";
import {
  HOSTILE,
  hostileEvents,
  hostileIncident,
  T0,
} from "../../fixtures/incident-page/hostile-incident";

/**
 * The page in a real browser: Debian's headless Chromium loads it over HTTP with the server's
 * own Content-Security-Policy, runs its one script, and the test reads the DOM it built. Hostile
 * text sits in every field, so a script or handler it smuggled in would show in the DOM. The
 * screenshot is kept under test-artifacts/ for a person to look at, not compared.
 */
const ARTIFACTS = join(__dirname, "../../../test-artifacts");
const SECRET = "browser-test-page-secret-0123456789abcdef";

describe("the incident page in headless Chromium", () => {
  let redis: Redis;
  let server: HttpServer;
  let url: string;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl());
    const stores = createRedisStores(redis, uniquePrefix("page-browser"));
    await stores.incidents.create(hostileIncident);
    for (const e of hostileEvents()) await stores.timeline.append(hostileIncident.id, e);
    const read = {
      incidents: stores.incidents,
      timeline: stores.timeline,
      clock: { now: () => T0 + 20 * 60_000 },
      settings: { phaseMinuteMs: 60_000, targets: RUNBOOK_TARGETS },
    };
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      routes: incidentPageRoutes({ read, secret: SECRET, links: incidentPageLinks("", SECRET) }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    url = `${base}${incidentPageLinks("", SECRET).linkFor(hostileIncident.id)}`;
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await server?.close();
    await redis?.quit();
  });

  it("builds the DOM the server sent, runs only the page's own script, and shows hostile text as text", async () => {
    const { dom, log } = await dumpDom(url);
    // The script ran under the policy: it wrote the browser's zone into the header.
    expect(dom).toMatch(/<th id="zone">(?!your time)[^<]+<\/th>/);
    // Chromium logs each refusal as a console message naming the policy.
    expect(log).not.toMatch(/violates the following Content Security Policy/);
    expect(dom.match(/<script/g)).toHaveLength(1);
    expect(dom).not.toMatch(/<img|<[a-z][^>]*\son[a-z]+=/i);
    expect(dom).not.toContain(HOSTILE);
    expect(dom).toContain("<h2>Steps per host</h2>");
    expect(dom).toContain("proxy-1: 10 of 20 requests answered 5xx");
    expect(dom.match(/<tr class="ev-/g)).toHaveLength(hostileEvents().length);
  }, 120_000);

  it("takes a screenshot of the page as a test artefact", async () => {
    const path = join(ARTIFACTS, "incident-page.png");
    await screenshot(url, path);
    expect((await stat(path)).size).toBeGreaterThan(10_000);
  }, 120_000);
});
