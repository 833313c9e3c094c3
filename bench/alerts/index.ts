import { Agent, request } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startBotProcess, waitUntilListening } from "../bot-process";
import { processCpuMs } from "../process-cpu";
import { startFakeSlack } from "../../test/fakes/fake-slack";
import { freePort } from "../../test/support/free-port";
import { startPrivateRedis } from "../../test/support/redis-server";

/**
 * Alert intake under a burst: 100 Alertmanager deliveries at once (20 groups, each delivered 5
 * times, as an Alertmanager cluster's peers and its retries do) against the real `npm start`
 * process on a private Redis, per run. Measures the HTTP answer time and checks that each group
 * made exactly one incident (one 201, the rest repeats, one channel in the fake Slack).
 */
export interface AlertBenchOptions {
  posts: number;
  groups: number;
  runs: number;
}

export const DEFAULT_ALERT_BENCH: AlertBenchOptions = { posts: 100, groups: 20, runs: 5 };

interface RunStats {
  median: number;
  p99: number;
  max: number;
  non2xx: number;
  declared: number;
  channels: number;
  /** CPU of each process from the first post to the last answer, in ms. */
  cpu: { bot: number; redis: number; sender: number };
}

const TOKEN = "bench-alert-token";
const SECRET = "bench-signing-secret";

export async function runAlertBench(args: Map<string, string> = new Map()): Promise<string> {
  const number = (name: string, fallback: number) => Number(args.get(name) ?? fallback);
  const options: AlertBenchOptions = {
    posts: number("posts", DEFAULT_ALERT_BENCH.posts),
    groups: number("groups", DEFAULT_ALERT_BENCH.groups),
    runs: number("runs", DEFAULT_ALERT_BENCH.runs),
  };
  const load = loadavg()[0] ?? 0;
  const runs = await measure(options);
  const markdown = alertBenchMarkdown(options, runs, load, loadavg()[0] ?? 0);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/alerts.md", markdown);
  writeFileSync("bench/results/alerts.json", JSON.stringify({ options, runs }, null, 2));
  return markdown;
}

async function measure(options: AlertBenchOptions): Promise<RunStats[]> {
  const redis = await startPrivateRedis();
  const slack = await startFakeSlack();
  const dir = mkdtempSync(join(tmpdir(), "incident-bot-alert-bench-"));
  // No hosts: the alerts declare incidents and channels but run no playbooks (this measures intake).
  writeFileSync(join(dir, "inventory.yml"), "hosts: {}\n");
  const port = await freePort();
  const bot = startBotProcess({
    slack,
    signingSecret: SECRET,
    redisUrl: redis.url,
    port,
    inventoryPath: join(dir, "inventory.yml"),
    // No storm limit in the way: this measures one incident per group.
    env: { ALERT_WEBHOOK_TOKEN: TOKEN, LOG_LEVEL: "warn", ALERT_STORM_LIMIT: "100000" },
  });
  const base = `http://127.0.0.1:${port}`;
  const runs: RunStats[] = [];
  try {
    await waitUntilListening(`${base}/slack/events`, bot, SECRET);
    // Connections, JIT and Lua scripts warmed; its channels are all open before the first run.
    await burst(base, options, "warmup", { bot: bot.child.pid ?? 0, redis: redis.pid });
    await slack.waitFor(
      () => slack.callsOf("conversations.create").length >= options.groups,
      "the warm-up's channels",
      120_000,
    );
    for (let run = 0; run < options.runs; run += 1) {
      const channelsBefore = slack.callsOf("conversations.create").length;
      const stats = await burst(base, options, `run${run}`, {
        bot: bot.child.pid ?? 0,
        redis: redis.pid,
      });
      await slack.waitFor(
        () => slack.callsOf("conversations.create").length >= channelsBefore + options.groups,
        "one channel per group",
        120_000,
      );
      // A moment for any second channel a double declare would have opened.
      await new Promise((done) => setTimeout(done, 500));
      runs.push({
        ...stats,
        channels: slack.callsOf("conversations.create").length - channelsBefore,
      });
    }
  } finally {
    agent.destroy();
    await bot.stop();
    await slack.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

const payload = JSON.parse(
  readFileSync(join(__dirname, "../../../test/fixtures/alerts/alertmanager-firing.json"), "utf8"),
) as Record<string, unknown>;

/** All posts at once; returns answer times and how many groups were declared. */
async function burst(
  base: string,
  options: AlertBenchOptions,
  label: string,
  pids: { bot: number; redis: number },
) {
  const bodies = Array.from({ length: options.posts }, (_, i) =>
    JSON.stringify({ ...payload, groupKey: `{}:{bench="${label}",group="${i % options.groups}"}` }),
  );
  const cpuOf = () => ({
    bot: processCpuMs(pids.bot),
    redis: processCpuMs(pids.redis),
    sender: processCpuMs(process.pid),
  });
  const before = cpuOf();
  const results = await Promise.all(
    bodies.map((body) => post(`${base}/alerts/alertmanager`, body)),
  );
  const after = cpuOf();
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return {
    median: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    non2xx: results.filter((r) => r.status < 200 || r.status > 299).length,
    declared: results.filter((r) => r.status === 201).length,
    cpu: {
      bot: after.bot - before.bot,
      redis: after.redis - before.redis,
      sender: after.sender - before.sender,
    },
  };
}

/**
 * node:http with kept-alive connections, as Alertmanager's own HTTP client keeps them: the time
 * measured is the bot's, not a fresh TCP handshake's or a heavier client's.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 200 });

function post(url: string, body: string): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${TOKEN}`,
        },
      },
      (response) => {
        response.resume();
        response.on("end", () =>
          resolve({ ms: performance.now() - started, status: response.statusCode ?? 0 }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function spread(runs: RunStats[], pick: (s: RunStats) => number): string {
  const values = runs.map(pick).sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)] ?? 0;
  return `${ms(median)} (${ms(values[0] ?? 0)}–${ms(values[values.length - 1] ?? 0)})`;
}

/** The "Alert intake" section of BENCHMARKS.md. */
export function alertBenchMarkdown(
  options: AlertBenchOptions,
  runs: RunStats[],
  loadBefore: number,
  loadAfter: number,
): string {
  const perGroup = options.posts / options.groups;
  const oneEach = runs.every((r) => r.declared === options.groups && r.channels === options.groups);
  return [
    "## Alert intake",
    "",
    `${options.posts} Alertmanager deliveries sent at once (${options.groups} groups, each delivered ${perGroup} times), ${options.runs} runs after one warm-up burst; median of the runs (min–max). The bot is the real \`npm start\` process on a private redis-server (the routes on \`PORT\`, the atomic groupKey claim in Redis, the declare use case, BullMQ workers opening the channels in the fake Slack over loopback HTTP); the bench process plays Alertmanager.`,
    "",
    "| answer time | median | p99 | max |",
    "| --- | --- | --- | --- |",
    `| \`POST /alerts/alertmanager\` | ${spread(runs, (r) => r.median)} | ${spread(runs, (r) => r.p99)} | ${spread(runs, (r) => r.max)} |`,
    "",
    `- CPU from the first post to the last answer, median of the runs: the bot ${spread(runs, (r) => r.cpu.bot)}, redis-server ${spread(runs, (r) => r.cpu.redis)}, the sender (this bench) ${spread(runs, (r) => r.cpu.sender)}.`,
    `- One incident per group: ${oneEach ? "yes" : "NO"} in every run (201 answers per run: ${runs.map((r) => r.declared).join(", ")}; channels opened per run: ${runs.map((r) => r.channels).join(", ")}; non-2xx answers: ${runs.reduce((n, r) => n + r.non2xx, 0)}).`,
    `- Machine: ${availableParallelism()} cores, 1-minute load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after (other work shares the cores; figures under a load above the core count are upper bounds), ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench -- alerts\`.`,
    "",
  ].join("\n");
}
