import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startBotProcess, waitUntilListening } from "../bot-process";
import { startFakeSlack } from "../../test/fakes/fake-slack";
import { freePort } from "../../test/support/free-port";
import { startPrivateRedis } from "../../test/support/redis-server";
import { postSlashCommand } from "../../test/support/slack-signing";

/**
 * Slash-command acknowledgement time: how long Slack would wait for the HTTP answer to
 * `/incident declare …` while 50 declares are in flight, against Slack's 3,000 ms limit. The bot
 * is the real `npm start` process (Bolt's HTTP receiver, use cases, Redis stores, BullMQ queue and
 * workers) on a private Redis, talking to a fake Slack over loopback HTTP; this process plays
 * Slack: it signs and sends the commands and serves the Web API. The baseline is
 * `/incident help`, answered in the ack itself with no work behind it, at the same concurrency.
 */
export interface AckBenchOptions {
  commandsPerRun: number;
  concurrency: number;
  runs: number;
  warmup: number;
}

export const DEFAULT_ACK_BENCH: AckBenchOptions = {
  commandsPerRun: 200,
  concurrency: 50,
  runs: 5,
  warmup: 50,
};

export interface AckStats {
  median: number;
  p99: number;
  max: number;
}

export interface AckBenchResult {
  options: AckBenchOptions;
  cores: number;
  date: string;
  /** Per run, per contender. */
  declare: AckStats[];
  help: AckStats[];
  failures: number;
  channelsCreated: number;
  /** 1-minute load average before and after: the acks share the cores with whatever else runs. */
  load: { before: number; after: number };
}

const SECRET = "bench-signing-secret";
const SLACK_LIMIT_MS = 3000;

export async function runAckBench(options = DEFAULT_ACK_BENCH): Promise<AckBenchResult> {
  const redis = await startPrivateRedis();
  const slack = await startFakeSlack();
  const dir = mkdtempSync(join(tmpdir(), "incident-bot-bench-"));
  // No hosts: declares open incidents and channels but run no playbooks (this measures chat).
  writeFileSync(join(dir, "inventory.yml"), "hosts: {}\n");
  const port = await freePort();
  const bot = startBotProcess({
    slack,
    signingSecret: SECRET,
    redisUrl: redis.url,
    port,
    inventoryPath: join(dir, "inventory.yml"),
  });
  const url = `http://127.0.0.1:${port}/slack/events`;
  const result: AckBenchResult = {
    options,
    cores: availableParallelism(),
    date: new Date().toISOString(),
    declare: [],
    help: [],
    failures: 0,
    channelsCreated: 0,
    load: { before: loadavg()[0] ?? 0, after: 0 },
  };
  try {
    await waitUntilListening(url, bot, SECRET);
    let n = 0;
    const send = async (text: (i: number) => string, count: number) => {
      const times = await inPool(count, options.concurrency, async () => {
        n += 1;
        const command = {
          text: text(n),
          user_id: `UBENCH${n % 7}`,
          channel_id: "CBENCH",
          response_url: slack.responseUrl(),
        };
        const response = await postSlashCommand(url, command, { secret: SECRET });
        if (response.status !== 200) result.failures += 1;
        return response.elapsedMs;
      });
      return stats(times);
    };
    const declare = (i: number) => `declare bench incident ${i} sev2`;
    let declared = 0;
    // Declares go on after their ack; each ends with a reply on its response_url.
    const settled = () =>
      slack.waitFor(() => slack.state.responses.length >= declared, "declare replies", 120_000);
    await send(declare, options.warmup);
    declared += options.warmup;
    await settled();
    for (let run = 0; run < options.runs; run += 1) {
      result.help.push(await send(() => "help", options.commandsPerRun));
      result.declare.push(await send(declare, options.commandsPerRun));
      declared += options.commandsPerRun;
      await settled();
    }
    result.channelsCreated = slack.callsOf("conversations.create").length;
    result.load.after = loadavg()[0] ?? 0;
  } finally {
    await bot.stop();
    await slack.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** Runs `count` tasks with at most `limit` in flight; returns each task's value. */
async function inPool(
  count: number,
  limit: number,
  task: () => Promise<number>,
): Promise<number[]> {
  const values: number[] = [];
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started += 1;
      values.push(await task());
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return values;
}

function stats(values: number[]): AckStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function summary(runs: AckStats[], pick: (s: AckStats) => number) {
  const values = runs.map(pick).sort((a, b) => a - b);
  return {
    median: values[Math.floor(values.length / 2)] ?? 0,
    min: values[0] ?? 0,
    max: values[values.length - 1] ?? 0,
  };
}

/** The "Chat" section of BENCHMARKS.md. */
export function ackBenchMarkdown(result: AckBenchResult): string {
  const { options } = result;
  const row = (name: string, runs: AckStats[], note: string) => {
    const median = summary(runs, (s) => s.median);
    const p99 = summary(runs, (s) => s.p99);
    return `| ${name} | ${ms(median.median)} (${ms(median.min)}–${ms(median.max)}) | ${ms(p99.median)} (${ms(p99.min)}–${ms(p99.max)}) | ${(p99.median / SLACK_LIMIT_MS).toFixed(3)} | ${note} |`;
  };
  const declareP99 = summary(result.declare, (s) => s.p99).median;
  const helpMedian = summary(result.help, (s) => s.median).median;
  const declareMedian = summary(result.declare, (s) => s.median).median;
  return [
    "## Chat",
    "",
    `Slash-command acknowledgement time, ${options.commandsPerRun} commands per run with ${options.concurrency} in flight, ${options.runs} runs after ${options.warmup} warm-up commands; median of the runs (min–max). The bot is the real \`npm start\` process (Bolt's HTTP receiver with signature checks, the declare use case on a private Redis, BullMQ workers posting the cards); the bench process plays Slack: it signs and sends the commands and serves the fake Web API over loopback HTTP.`,
    "",
    "| command | ack median | ack p99 | p99 / Slack's 3,000 ms | what it does |",
    "| --- | --- | --- | --- | --- |",
    row("`/incident declare …`", result.declare, "acks, then creates the incident, channel, clock"),
    row("`/incident help` (baseline)", result.help, "answered in the ack, no work behind it"),
    "",
    `- declare's median ack is ${(declareMedian / Math.max(helpMedian, 0.001)).toFixed(2)}× the baseline's; its p99 is ${((declareP99 / SLACK_LIMIT_MS) * 100).toFixed(1)}% of Slack's limit.`,
    `- ${result.channelsCreated} incident channels created in the fake Slack; ${result.failures} requests not answered 200.`,
    `- Machine: ${result.cores} cores, 1-minute load average ${result.load.before.toFixed(1)} before and ${result.load.after.toFixed(1)} after (other work shares the cores; figures under a load above the core count are upper bounds), ${result.date.slice(0, 10)}. Command: \`npm run bench -- chat\` (or \`npm run bench:chat\`).`,
    "",
  ].join("\n");
}
