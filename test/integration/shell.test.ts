import { join } from "node:path";
import { freePort } from "../support/free-port";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { up, type Lab } from "../lab/lab";
import { LineDriver, REPO } from "./shell-driver";

/**
 * The "Done when": `incident-bot shell` driven through stdin/stdout against the lab and a
 * real Redis, with the same engine, queue and timeline as Slack. Needs `npm run build` (npm test
 * builds first) and root for the lab.
 */
const CLI = join(REPO, "bin/incident-bot.js");
const LONG = 180_000;

describe("incident-bot shell", () => {
  it("says in one line how to get a Redis when none answers, and exits 1", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const shell = LineDriver.start("node", [CLI, "shell", "--user", "alice"], { REDIS_URL: url });
    expect(await shell.stop()).toBe(1);
    const said = shell.errors.filter((line) => line.trim() !== "");
    expect(said).toEqual([
      `No Redis at ${url}: start one with 'redis-server --port ${url.split(":")[2]} --save ""' or set REDIS_URL (npm run demo starts a private one)`,
    ]);
    expect(shell.lines).toEqual([]);
  });

  describe("against a 3-host lab with proxy-2's upstream stopped", () => {
    let lab: Lab;
    let shell: LineDriver | undefined;

    beforeAll(async () => {
      lab = await up(3);
      await lab.break("proxy-2", "upstream-stopped");
    }, LONG);

    afterAll(async () => {
      await shell?.stop();
      await lab?.down();
    }, LONG);

    it(
      "declares, diagnoses, refuses a non-approver, reloads once approved, resolves and shows the timeline",
      async () => {
        shell = LineDriver.start("node", [CLI, "shell", "--user", "alice", "--channel", "ops"], {
          REDIS_URL: testRedisUrl(),
          // Its own keys and queues (REDIS_PREFIX, as a second deployment on one Redis would have
          // them), so its jobs never meet another test's workers on the shared server.
          REDIS_PREFIX: uniquePrefix("shell"),
          INVENTORY: lab.inventoryPath,
          PLAYBOOKS_DIR: join(REPO, "playbooks"),
          INCIDENT_APPROVERS: "bob",
          INCIDENT_RESPONDERS: "",
          PHASE_MINUTE_MS: "60000",
        });
        await shell.waitFor(/^bot> ready: you are alice in #ops/);

        shell.type("/incident declare API 502s sev2 hosts:lab");
        const joined = await shell.waitFor(/^shell> you are in #inc-/);
        const channel = joined.replace("shell> you are in ", "");
        await shell.waitFor(/^bot> \[#inc-[^\]]+\] incident inc-\S+ "API 502s" sev2 open/);
        await shell.waitFor(/diagnosis: upstream_refused on proxy-2\b/i, LONG);

        // The upstream comes back; the reload has to pass its verification now.
        await lab.fix("proxy-2");
        await shell.waitFor(/\[a\]pprove \/ \[d\]eny apr-\S+graceful-reload/, LONG);

        // More users are hit than first thought: the severity goes up, and the topic with it.
        shell.type("/incident severity sev1");
        await shell.waitFor(/^bot> \[#inc-[^\]]+\] Severity: sev2 → sev1/);
        await shell.waitFor(/^bot> \[#inc-[^\]]+\] topic: sev1 · API 502s/);

        shell.type("a graceful-reload");
        await shell.waitFor(/^bot> \[#inc-[^\]]+\] \(only you\) .*\(not-an-approver\)/);

        shell.type("/user bob");
        await shell.waitFor(/^shell> you are now bob/);
        shell.type("a graceful-reload");
        await shell.waitFor(/approval apr-\S+graceful-reload approved/);
        await shell.waitFor(
          /Remediation graceful-reload on proxy-2: precheck ok, action ok, verification ok/,
          LONG,
        );

        shell.type("/incident resolve upstream restarted");
        await shell.waitFor(/Resolved: upstream restarted/, LONG);

        shell.type("/incident timeline");
        await shell.waitFor(/^bot> \[#inc-[^\]]+\] timeline of inc-/);
        await shell.waitFor(/approved/);

        shell.type("/quit");
        await shell.waitFor(/^bot> bye/);
        expect(await shell.stop()).toBe(0);
        expect(channel).toMatch(/^#inc-\d{8}-api-502s/);
      },
      LONG * 2,
    );
  });
});
