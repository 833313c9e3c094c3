import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { format } from "prettier";
import { startPrivateRedis } from "../../test/support/redis-server";
import { fmt, median, spread } from "./stats";
import { stepThroughputRun } from "./step-throughput";
import { summarizeTimers, timerAccuracyRun } from "./timer-accuracy";

/**
 * The lifecycle benchmarks (`npm run bench:lifecycle`, or `runLifecycleBench` from bench/run.ts):
 * timer accuracy with 100 and 1,000 open incidents on one worker, and the queue's throughput of
 * playbook steps with a no-op executor against the engine run directly. A private redis-server is
 * started for the run. Prints markdown, writes bench/results/lifecycle.md and replaces the
 * "## Lifecycle" section of BENCHMARKS.md (other sections are left alone).
 */
export async function runLifecycleBench(args: Map<string, string> = new Map()): Promise<string> {
  const runs = Number(args.get("runs") ?? "5");
  const sizes = (args.get("incidents") ?? "100,1000").split(",").map(Number);
  const phaseMinuteMs = Number(args.get("minute-ms") ?? "200");
  const redis = await startPrivateRedis();
  try {
    const timers = await timerTable(redis.url, sizes, runs, phaseMinuteMs);
    const steps = await throughputTable(redis.url, runs);
    const markdown = [
      "## Lifecycle",
      "",
      `\`npm run bench:lifecycle\` on ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, ` +
        `Node ${process.version}, private redis-server on loopback; ${runs} runs after one warm-up; ` +
        "median (min–max) across runs.",
      "",
      timers,
      "",
      steps,
      "",
    ].join("\n");
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/lifecycle.md", markdown);
    // Formatted as `npm run format:check` expects (aligned tables).
    writeSection("BENCHMARKS.md", await format(markdown, { parser: "markdown", printWidth: 100 }));
    return markdown;
  } finally {
    await redis.stop();
  }
}

type TimerSample = ReturnType<typeof summarizeTimers> & { declareMs: number; n: number };

async function timerTable(url: string, sizes: number[], runs: number, minuteMs: number) {
  const lines = [
    `### Timer accuracy (fired − scheduled, ms), one worker, 1 clock minute = ${minuteMs} ms`,
    "",
    "Every phase change and status reminder of each incident's first clock hour (6 per incident); " +
      "bot and workers in one process (`npm start`), incidents declared back to back.",
    "",
    "| open incidents | timers per run | p50 | p95 | p99 | max | within 1 s | declare all (ms) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const incidents of sizes) {
    const samples: TimerSample[] = [];
    for (let i = 0; i <= runs; i++) {
      const run = await timerAccuracyRun({
        redisUrl: url,
        prefix: `bench-timers-${incidents}-${i}`,
        incidents,
        phaseMinuteMs: minuteMs,
        untilMinute: 60,
      });
      if (i > 0)
        samples.push({ ...summarizeTimers(run), declareMs: run.declareMs, n: run.expected });
    }
    const col = (pick: (s: TimerSample) => number) => spread(samples.map(pick));
    lines.push(
      `| ${incidents} | ${samples[0]?.n ?? 0} | ${col((s) => s.p50)} | ${col((s) => s.p95)} | ` +
        `${col((s) => s.p99)} | ${col((s) => s.max)} | ${col((s) => s.onTimeShare * 100)} % | ` +
        `${col((s) => s.declareMs)} |`,
    );
  }
  return lines.join("\n");
}

async function throughputTable(url: string, runs: number) {
  const hosts = 200;
  const samples = [];
  for (let i = 0; i <= runs; i++) {
    const run = await stepThroughputRun({ redisUrl: url, prefix: `bench-steps-${i}`, hosts });
    if (i > 0) samples.push(run);
  }
  const queued = samples.map((s) => (s.steps / s.queuedMs) * 1000);
  const direct = samples.map((s) => (s.steps / s.directMs) * 1000);
  return [
    `### Step throughput, no-op executor (${hosts} hosts × 5 steps per run, one worker, 8 host jobs at a time)`,
    "",
    "| path | steps/s | ms per run |",
    "| --- | ---: | ---: |",
    `| queue: declare → BullMQ job per host → result in Redis + timeline → diagnosis | ${spread(queued)} | ${spread(samples.map((s) => s.queuedMs))} |`,
    `| baseline: engine in memory (runPlaybook, same executor) | ${spread(direct)} | ${spread(samples.map((s) => s.directMs))} |`,
    "",
    `Queue cost per step relative to the baseline: ×${fmt(median(direct) / median(queued))} ` +
      "(what durability buys: every step is a Redis record and a timeline event, and survives a crash).",
  ].join("\n");
}

/** Replaces the "## Lifecycle" section (up to the next "## ") or appends it. */
function writeSection(path: string, section: string): void {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    text = "# Benchmarks\n";
  }
  const start = text.indexOf("\n## Lifecycle");
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf("\n## ", start + 1);
  const rest = next < 0 ? "" : text.slice(next);
  writeFileSync(path, `${text.slice(0, start)}\n${section.trimEnd()}\n${rest}`);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const args = new Map<string, string>();
  argv.forEach((arg, i) => {
    if (arg.startsWith("--")) args.set(arg.slice(2), argv[i + 1] ?? "");
  });
  runLifecycleBench(args).then(
    (markdown) => process.stdout.write(`${markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`lifecycle bench failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
