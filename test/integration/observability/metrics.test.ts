import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBotProcess, waitUntilListening, type BotProcess } from "../../../bench/bot-process";
import { startFakeSlack, type FakeSlack } from "../../fakes/fake-slack";
import { freePort } from "../../support/free-port";
import { testRedisUrl, uniquePrefix } from "../../support/redis";
import { postSlashCommand } from "../../support/slack-signing";

const SECRET = "metrics-signing-secret";
const DECLARED = 'source="person",severity="sev1"';

/** One sample of the text format: `name{labels} value`, for the metrics of interest. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.split(" ").pop());
}

/** Polls until the process answers on the URL; fails early if it exits. */
async function waitUntilServing(url: string, process: BotProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) {
      throw new Error(`exited with ${process.child.exitCode}: ${process.errors.join("")}`);
    }
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`nothing answered on ${url} within 30 s`);
}

async function waitForSample(url: string, name: string, labels: string): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = sample(await (await fetch(url)).text(), name, labels);
    if (value !== undefined && value > 0) return value;
    if (Date.now() > deadline) throw new Error(`no ${name}{${labels}} in ${url}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * GET /metrics of `npm start` (and of a worker alone on METRICS_PORT), scraped before and after a
 * real declare through Bolt: the names and types are there, and the numbers move.
 */
describe("the metrics of a running bot", () => {
  let slack: FakeSlack;
  let bot: BotProcess;
  let worker: BotProcess;
  let dir: string;
  let base: string;
  let workerBase: string;
  let before: string;
  let after = "";

  beforeAll(async () => {
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), "incident-bot-metrics-"));
    writeFileSync(join(dir, "inventory.yml"), "hosts: {}\n");
    const [port, metricsPort] = [await freePort(), await freePort()];
    const common = {
      slack,
      signingSecret: SECRET,
      redisUrl: testRedisUrl(),
      inventoryPath: join(dir, "inventory.yml"),
    };
    const env = { REDIS_PREFIX: uniquePrefix("metrics"), LOG_LEVEL: "warn" };
    bot = startBotProcess({ ...common, port, env, role: "bot" });
    worker = startBotProcess({
      ...common,
      port,
      env: { ...env, METRICS_PORT: String(metricsPort) },
      role: "worker",
    });
    base = `http://127.0.0.1:${port}`;
    workerBase = `http://127.0.0.1:${metricsPort}`;
    await waitUntilListening(`${base}/slack/events`, bot, SECRET);
    await waitUntilServing(`${workerBase}/metrics`, worker);
    before = await (await fetch(`${base}/metrics`)).text();
    const declare = {
      text: "declare Metrics move sev1",
      user_id: "UMETRICS",
      channel_id: "COPS",
      response_url: slack.responseUrl(),
    };
    expect(
      (await postSlashCommand(`${base}/slack/events`, declare, { secret: SECRET })).status,
    ).toBe(200);
    await slack.waitFor(() => slack.state.channels.size > 0, "the incident channel");
    // The counter moves once the use case has gone past the channel; scrape until it has.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      after = await (await fetch(`${base}/metrics`)).text();
      if (sample(after, "incident_bot_incidents_declared_total", DECLARED) !== undefined) break;
      await new Promise((done) => setTimeout(done, 50));
    }
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await worker?.stop();
    await slack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the bot's own metrics are there with their types, beside the process's defaults", () => {
    expect(before).toContain("# TYPE incident_bot_incidents_declared_total counter");
    expect(before).toContain("# TYPE incident_bot_incidents_open gauge");
    expect(before).toContain("# TYPE incident_bot_playbook_step_duration_seconds histogram");
    expect(before).toContain("# TYPE incident_bot_approvals_total counter");
    expect(before).toContain("# TYPE incident_bot_alerts_received_total counter");
    expect(before).toContain("# TYPE incident_bot_slack_api_calls_total counter");
    expect(before).toContain("# TYPE incident_bot_time_to_first_diagnosis_seconds histogram");
    expect(before).toContain("# TYPE incident_bot_job_duration_seconds histogram");
    expect(before).toContain("# TYPE incident_bot_announcements_failed_total counter");
    expect(before).toContain("# TYPE incident_bot_queue_jobs gauge");
    expect(before).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(sample(before, "incident_bot_incidents_open")).toBe(0);
  });

  test("a declare moves the declared counter, the open gauge and the Slack call counts", () => {
    expect(sample(after, "incident_bot_incidents_declared_total", DECLARED)).toBe(1);
    expect(sample(after, "incident_bot_incidents_open")).toBe(1);
    expect(
      sample(
        after,
        "incident_bot_slack_api_calls_total",
        'method="conversations.create",outcome="ok"',
      ),
    ).toBe(1);
    // No incident or user id ever becomes a label.
    expect(after).not.toMatch(/inc-\d{8}|UMETRICS/);
  });

  test("a worker alone serves /metrics on METRICS_PORT, with the open gauge from the store", async () => {
    const response = await fetch(`${workerBase}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, "incident_bot_incidents_open")).toBe(1);
    // The worker ran the declare's announcement: its attempt is timed, by queue and outcome.
    await waitForSample(
      `${workerBase}/metrics`,
      "incident_bot_job_duration_seconds_count",
      'queue="announce",outcome="completed"',
    );
  });
});
