import { statfsSync, truncateSync, writeFileSync, mkdirSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { loadPlaybooks } from "../../src/adapters/playbooks/load-playbooks";
import { up } from "../../test/lab/lab";
import { BotStep, sshArgs, sshPipeTail, type Sample } from "./contenders";
import { ErrorLogWriter, DEFAULT_SHAPE } from "./generate";
import { Cleanup, bytes, median, ms, spreadMs, writeSection } from "./report";

/**
 * The logs benchmark of BENCHMARKS-GUIDE.md ("Logs"): does reading the last N minutes of a big
 * error log cost time in proportion to the window, not the file, and move only the lines that
 * matter over SSH? A generated Apache error log (64 MiB, 256 MiB, 1 GiB; one line every 100 ms,
 * timestamps ending now and kept growing live) in a lab host's real error log; the playbook's own
 * `error-log` step run by the engine over the SSH executor for windows of 5, 15 and 60 minutes,
 * beside `ssh HOST grep -E 'AH0' error.log | tail` and `ssh HOST 'tail -n 20000 error.log | grep
 * -E AH0' | tail` with the OpenSSH client. `npm run build && npm run bench -- logs [--log-sizes
 * 64,256,1024] [--windows 5,15,60] [--runs 5]`.
 */
const root = resolve(__dirname, "../../..");
const HOST = "proxy-1";
const REMOTE_LOG = "/var/log/apache2/error.log";
const HEADING = "## Logs";

interface Row {
  sizeMiB: number;
  fileBytes: number;
  lines: number;
  spanHours: number;
  bot: Map<number, { samples: Sample[]; expected: number }>;
  naive: Sample[];
  tail: Sample[];
}

export async function runLogsBench(args: Map<string, string> = new Map()): Promise<string> {
  const list = (name: string, fallback: string) =>
    (args.get(name) ?? fallback).split(",").map(Number);
  const sizes = list("log-sizes", "64,256,1024");
  const windows = list("windows", "5,15,60");
  const runs = Number(args.get("runs") ?? "5");
  const loadBefore = loadavg()[0] ?? 0;
  const cleanup = new Cleanup();
  try {
    const lab = await up(1);
    cleanup.add(() => lab.down());
    const logPath = lab.host(HOST).errorLog;
    const room = statfsSync(dirname(logPath));
    const free = room.bavail * room.bsize;
    const largest = Math.max(...sizes) * 1024 * 1024;
    if (free < largest * 1.2) {
      throw new Error(`${dirname(logPath)} has ${bytes(free)} free; the largest log needs more`);
    }
    const fsType = room.type === 0x01021994 ? "tmpfs" : `filesystem 0x${room.type.toString(16)}`;
    // Whatever happens, the big log does not stay behind (lab.down removes the whole lab dir).
    cleanup.add(() => truncateSync(logPath, 0));
    const { playbooks } = await loadPlaybooks(join(root, "playbooks"));
    const playbook = playbooks.find((p) => p.id === "apache-502");
    if (!playbook) throw new Error("playbooks/apache-502.yaml did not load");
    const bot = await BotStep.create(lab, playbook, HOST);
    const ssh = sshArgs(lab, lab.host(HOST).address);
    const naive = `grep -E 'AH0' ${REMOTE_LOG}`;
    const tail = `tail -n 20000 ${REMOTE_LOG} | grep -E 'AH0'`;
    const rows: Row[] = [];
    for (const sizeMiB of sizes) {
      const writer = new ErrorLogWriter(logPath);
      const started = performance.now();
      writer.fill(sizeMiB * 1024 * 1024);
      const generatedMs = performance.now() - started;
      const spanHours = (writer.lines * DEFAULT_SHAPE.intervalMs) / 3_600_000;
      process.stderr.write(
        `logs: ${bytes(writer.bytes)} (${writer.lines} lines, ${spanHours.toFixed(1)} h) written in ${ms(generatedMs)}\n`,
      );
      const live = setInterval(() => writer.catchUp(), 200);
      const row: Row = {
        sizeMiB,
        fileBytes: writer.bytes,
        lines: writer.lines,
        spanHours,
        bot: new Map(),
        naive: [],
        tail: [],
      };
      try {
        for (const minutes of windows) {
          await bot.run(minutes); // warm-up
          const samples: Sample[] = [];
          const expected: number[] = [];
          for (let i = 0; i < runs; i++) {
            expected.push(writer.warnLinesWithin(minutes));
            samples.push(await bot.run(minutes));
          }
          row.bot.set(minutes, { samples, expected: median(expected) });
          progress(`${sizeMiB} MiB bot ${minutes} min`, samples);
        }
        row.naive = await repeat(runs, () => sshPipeTail(ssh, naive));
        progress(`${sizeMiB} MiB naive grep`, row.naive);
        row.tail = await repeat(runs, () => sshPipeTail(ssh, tail));
        progress(`${sizeMiB} MiB tail -n 20000 | grep`, row.tail);
      } finally {
        clearInterval(live);
        truncateSync(logPath, 0);
      }
      rows.push(row);
    }
    const markdown = render(rows, windows, runs, {
      loadBefore,
      loadAfter: loadavg()[0] ?? 0,
      fsType,
    });
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/logs.md", markdown);
    await writeSection("BENCHMARKS.md", HEADING, markdown);
    return markdown;
  } finally {
    await cleanup.run();
  }
}

async function repeat(runs: number, once: () => Promise<Sample>): Promise<Sample[]> {
  await once(); // warm-up
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  return samples;
}

function progress(what: string, samples: Sample[]): void {
  const wall = samples.map((s) => s.wallMs);
  process.stderr.write(
    `  ${what}: ${spreadMs(wall)}, ${bytes(median(samples.map((s) => s.bytesBack)))} back\n`,
  );
}

const wallOf = (samples: Sample[]) => samples.map((s) => s.wallMs);
const bytesOf = (samples: Sample[]) => bytes(median(samples.map((s) => s.bytesBack)));

function render(
  rows: Row[],
  windows: number[],
  runs: number,
  machine: { loadBefore: number; loadAfter: number; fsType: string },
): string {
  const date = new Date().toISOString().slice(0, 10);
  const perLine = 60_000 / DEFAULT_SHAPE.intervalMs;
  const lines = [
    HEADING,
    "",
    `\`npm run build && npm run bench -- logs\` on ${date}, ${availableParallelism()} cores, Node ${process.version}, ` +
      `1-minute load average ${machine.loadBefore.toFixed(1)} before and ${machine.loadAfter.toFixed(1)} after. ` +
      `${runs} runs after a warm-up; median (min–max).`,
    "",
    `The log: a generated Apache 2.4 error log in lab host ${HOST}'s real \`${REMOTE_LOG}\` (on ${machine.fsType}), ` +
      `in the lab Apache's line format (shapes from test/fixtures/apache): ${perLine} lines a minute, mostly mod_ssl info ` +
      `noise, a timeout or bad header now and then, the hourly reload, and in the last ${DEFAULT_SHAPE.incidentMinutes} minutes ` +
      "the refused-upstream pairs (AH00957 + AH01114) of a stopped upstream; timestamps end now and the log keeps growing at " +
      "the same rate while the bench runs, so a window always holds the same number of lines.",
    "",
    "Contenders: **bot** = the `error-log` step of `playbooks/apache-502.yaml` as the engine renders it " +
      "(`runHostSteps` with that one step, the SSH executor, a new connection per run, `log_window_minutes` = the window); " +
      `**naive** = \`ssh ${HOST} grep -E 'AH0' ${REMOTE_LOG} | tail\`; **tail** = ` +
      `\`ssh ${HOST} "tail -n 20000 ${REMOTE_LOG} | grep -E 'AH0'" | tail\` ` +
      "(OpenSSH client, BatchMode, the lab's key and known_hosts, curve25519). " +
      "\"Bytes over SSH\" is the command's stdout + stderr as the client received it (before the bot's 64 KiB cap per stream).",
    "",
    "| log | contender | median (min–max) | bytes over SSH | lines kept (in window) | ÷ naive |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const label = `${bytes(row.fileBytes)}, ${(row.lines / 1e6).toFixed(2)} M lines, ${row.spanHours.toFixed(0)} h`;
    const naiveMedian = median(wallOf(row.naive));
    for (const minutes of windows) {
      const entry = row.bot.get(minutes);
      if (!entry) continue;
      const kept = median(entry.samples.map((s) => s.lines));
      lines.push(
        `| ${label} | bot, last ${minutes} min | ${spreadMs(wallOf(entry.samples))} | ${bytesOf(entry.samples)} | ` +
          `${kept} (${entry.expected}) | ${(median(wallOf(entry.samples)) / naiveMedian).toFixed(3)} |`,
      );
    }
    lines.push(
      `| ${label} | naive: grep whole file \\| tail | ${spreadMs(wallOf(row.naive))} | ${bytesOf(row.naive)} | ${median(row.naive.map((s) => s.lines))} | 1 |`,
      `| ${label} | tail -n 20000 \\| grep (last ${((20_000 * DEFAULT_SHAPE.intervalMs) / 60_000).toFixed(0)} min) | ${spreadMs(wallOf(row.tail))} | ${bytesOf(row.tail)} | ${median(row.tail.map((s) => s.lines))} | ${(median(wallOf(row.tail)) / naiveMedian).toFixed(3)} |`,
    );
  }
  lines.push(
    "",
    "Median time by window and file size (the claim: grows down a column, flat along a row):",
    "",
  );
  lines.push(
    `| contender | ${rows.map((r) => bytes(r.fileBytes)).join(" | ")} | largest ÷ smallest |`,
    `| --- | ${rows.map(() => "---:").join(" | ")} | ---: |`,
  );
  const matrixRow = (name: string, pick: (row: Row) => Sample[] | undefined) => {
    const values = rows.map((row) => median(wallOf(pick(row) ?? [])));
    const ratio = (values[values.length - 1] ?? NaN) / (values[0] ?? NaN);
    return `| ${name} | ${values.map(ms).join(" | ")} | ${ratio.toFixed(2)}× |`;
  };
  for (const minutes of windows) {
    lines.push(matrixRow(`bot, last ${minutes} min`, (row) => row.bot.get(minutes)?.samples));
  }
  lines.push(matrixRow("naive grep \\| tail", (row) => row.naive));
  lines.push(matrixRow("tail -n 20000 \\| grep", (row) => row.tail));
  lines.push("", ...notes(rows, windows), "");
  return lines.join("\n");
}

/** What the figures say, computed from them (the largest log, the smallest and largest window). */
function notes(rows: Row[], windows: number[]): string[] {
  const big = rows[rows.length - 1];
  const small = rows[0];
  const first = Math.min(...windows);
  const last = Math.max(...windows);
  if (!big || !small) return [];
  const at = (row: Row, minutes: number) => median(wallOf(row.bot.get(minutes)?.samples ?? []));
  const slope = (at(big, last) - at(big, first)) / (last - first);
  const fixed = at(big, first) - slope * first;
  const naiveGrowth = median(wallOf(big.naive)) / median(wallOf(small.naive));
  const kept = windows.map((minutes) => {
    const entry = big.bot.get(minutes);
    const samples = entry?.samples ?? [];
    return (
      `${minutes} min: kept ${median(samples.map((s) => s.lines))} of ${entry?.expected ?? 0} ` +
      `lines, ${bytes(median(samples.map((s) => s.bytesKept)))} of ${bytesOf(samples)} received`
    );
  });
  return [
    `- Time follows the window, not the file: on the ${bytes(big.fileBytes)} log the step takes ` +
      `${ms(at(big, first))} for ${first} min and ${ms(at(big, last))} for ${last} min, about ` +
      `${ms(fixed)} of SSH connection and session plus ${ms(slope)} per window minute ` +
      `(${(60_000 / DEFAULT_SHAPE.intervalMs).toFixed(0)} lines read backwards per minute). ` +
      `Across a ${(big.fileBytes / small.fileBytes).toFixed(0)}× larger file the same window costs ` +
      `${(at(big, first) / at(small, first)).toFixed(2)}×–${(at(big, last) / at(small, last)).toFixed(2)}×, ` +
      `while the naive grep costs ${naiveGrowth.toFixed(1)}× and moves the whole file over SSH ` +
      `(${bytesOf(big.naive)}).`,
    "- Bytes: the step sends back only warn-or-worse lines of the window, at most `max_log_lines` " +
      "(2,000) of them; `tail -n 20000 | grep` is as fast but reads a fixed number of lines " +
      `(${((20_000 * DEFAULT_SHAPE.intervalMs) / 60_000).toFixed(0)} min here, whatever the window) and sends all its matches.`,
    "- Lines kept: the step caps the window on the host, newest first, at `max_log_lines` lines " +
      "and `max_log_bytes` (60,000) bytes of whole lines, then prints them oldest first, so what " +
      "comes back fits the engine's 64 KiB output cap and a busy window keeps its newest lines " +
      `(largest log, ${kept.join("; ")}).`,
  ];
}

if (require.main === module) {
  runLogsBench().then(
    (markdown) => process.stdout.write(`${markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`logs bench failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
