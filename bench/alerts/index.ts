import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startBotProcess, waitUntilListening } from "../bot-process";
import { processCpuMs } from "../process-cpu";
import { jsonPost, RawHttpSender } from "./raw-sender";
import { startFakeSlack } from "../../test/fakes/fake-slack";
import { freePort } from "../../test/support/free-port";
import { startPrivateRedis } from "../../test/support/redis-server";

/**
 * Alert intake under a burst: 100 Alertmanager deliveries at once (20 groups, each delivered 5
 * times, as an Alertmanager cluster's peers and its retries do) against the real `npm start`
 * process on a private Redis, per run. Measures the HTTP answer time and checks that each group
 * made exactly one incident (one 201, the rest repeats, one channel in the fake Slack). The same
 * bursts against a node:http server that does nothing (floor-server) give the floor in the run.
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
  const floor = await measureFloor(options);
  const markdown = alertBenchMarkdown(options, runs, floor, load, loadavg()[0] ?? 0);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/alerts.md", markdown);
  writeFileSync("bench/results/alerts.json", JSON.stringify({ options, runs, floor }, null, 2));
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
  const sender = new RawHttpSender("127.0.0.1", port);
  const pids = { bot: bot.child.pid ?? 0, redis: redis.pid };
  const runs: RunStats[] = [];
  try {
    await waitUntilListening(`${base}/slack/events`, bot, SECRET);
    // Connections, JIT and Lua scripts warmed; its channels are all open before the first run.
    await burst(sender, options, "warmup", pids);
    await slack.waitFor(
      () => slack.callsOf("conversations.create").length >= options.groups,
      "the warm-up's channels",
      120_000,
    );
    for (let run = 0; run < options.runs; run += 1) {
      const channelsBefore = slack.callsOf("conversations.create").length;
      const stats = await burst(sender, options, `run${run}`, pids);
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
    sender.close();
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
  sender: RawHttpSender,
  options: AlertBenchOptions,
  label: string,
  pids: { bot: number; redis: number },
) {
  const requests = Array.from({ length: options.posts }, (_, i) =>
    jsonPost(
      "127.0.0.1",
      "/alerts/alertmanager",
      JSON.stringify({
        ...payload,
        groupKey: `{}:{bench="${label}",group="${i % options.groups}"}`,
      }),
      { Authorization: `Bearer ${TOKEN}` },
    ),
  );
  const cpuOf = () => ({
    bot: processCpuMs(pids.bot),
    redis: processCpuMs(pids.redis),
    sender: processCpuMs(process.pid),
  });
  const before = cpuOf();
  const results = await sender.burst(requests);
  const after = cpuOf();
  return {
    ...answerTimes(results.map((r) => r.ms)),
    non2xx: results.filter((r) => r.status < 200 || r.status > 299).length,
    declared: results.filter((r) => r.status === 201).length,
    cpu: {
      bot: after.bot - before.bot,
      redis: after.redis - before.redis,
      sender: after.sender - before.sender,
    },
  };
}

function answerTimes(times: number[]): { median: number; p99: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

type FloorStats = ReturnType<typeof answerTimes>;

/** The same bursts against a server that parses the body and answers, doing nothing else. */
async function measureFloor(options: AlertBenchOptions): Promise<FloorStats[]> {
  const child = spawn(process.execPath, [join(__dirname, "floor-server.js")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once("exit", (code) => reject(new Error(`the floor server exited with ${code}`)));
    });
    const sender = new RawHttpSender("127.0.0.1", port);
    const body = JSON.stringify(payload);
    const requests = Array.from({ length: options.posts }, () =>
      jsonPost("127.0.0.1", "/", body, { Authorization: `Bearer ${TOKEN}` }),
    );
    const runs: FloorStats[] = [];
    try {
      await sender.burst(requests);
      for (let run = 0; run < options.runs; run += 1) {
        runs.push(answerTimes((await sender.burst(requests)).map((r) => r.ms)));
        await new Promise((done) => setTimeout(done, 200));
      }
    } finally {
      sender.close();
    }
    return runs;
  } finally {
    child.kill();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function spread<T>(runs: T[], pick: (s: T) => number): string {
  const values = runs.map(pick).sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)] ?? 0;
  return `${ms(median)} (${ms(values[0] ?? 0)}–${ms(values[values.length - 1] ?? 0)})`;
}

/** The "Alert intake" section of BENCHMARKS.md. */
export function alertBenchMarkdown(
  options: AlertBenchOptions,
  runs: RunStats[],
  floor: FloorStats[],
  loadBefore: number,
  loadAfter: number,
): string {
  const perGroup = options.posts / options.groups;
  const oneEach = runs.every((r) => r.declared === options.groups && r.channels === options.groups);
  return [
    "## Alert intake",
    "",
    `${options.posts} Alertmanager deliveries sent at once (${options.groups} groups, each delivered ${perGroup} times), ${options.runs} runs after one warm-up burst; median of the runs (min–max). The bot is the real \`npm start\` process on a private redis-server (the routes on \`PORT\`, the atomic groupKey claim in Redis, the declare use case, BullMQ workers opening the channels in the fake Slack over loopback HTTP); the bench process plays Alertmanager, with one kept-alive connection per delivery and requests written as prepared bytes (as wrk or autocannon do; node:http's own client cost a quarter of a millisecond per request on the same two cores). The floor is the same bursts, in the same run, against a node:http server that parses each body and answers, doing nothing else.`,
    "",
    "| answer time | median | p99 | max |",
    "| --- | --- | --- | --- |",
    `| \`POST /alerts/alertmanager\` | ${spread(runs, (r) => r.median)} | ${spread(runs, (r) => r.p99)} | ${spread(runs, (r) => r.max)} |`,
    `| floor: node:http answering at once | ${spread(floor, (r) => r.median)} | ${spread(floor, (r) => r.p99)} | ${spread(floor, (r) => r.max)} |`,
    "",
    `- CPU from the first post to the last answer, median of the runs: the bot ${spread(runs, (r) => r.cpu.bot)}, redis-server ${spread(runs, (r) => r.cpu.redis)}, the sender (this bench) ${spread(runs, (r) => r.cpu.sender)}.`,
    `- One incident per group: ${oneEach ? "yes" : "NO"} in every run (201 answers per run: ${runs.map((r) => r.declared).join(", ")}; channels opened per run: ${runs.map((r) => r.channels).join(", ")}; non-2xx answers: ${runs.reduce((n, r) => n + r.non2xx, 0)}).`,
    `- Machine: ${availableParallelism()} cores, 1-minute load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after (other work shares the cores; figures under a load above the core count are upper bounds), ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench -- alerts\`.`,
    "",
  ].join("\n");
}
