import { ensureDebianCommand } from "../debian-command";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadInventory, resolveInventoryHosts } from "../../src/adapters/playbooks/load-inventory";
import { loadPlaybooks } from "../../src/adapters/playbooks/load-playbooks";
import { isTriageStep } from "../../src/domain/triage";
import { planCommands } from "../../src/engine/host-steps";
import { hostVariables, renderCommand } from "../../src/engine/step-commands";
import { up, type Lab } from "../../test/lab/lab";
import { sshOptions } from "../fanout/contenders";
import { measure, type Sample } from "../fanout/measure";
import { Cleanup, median, ms, spreadMs, writeSection } from "../logs/report";
import { DEFAULT_DAY, writeDayOfLogs } from "./day-of-logs";
import type { FloorSpec } from "./ssh2-floor";
import { measureStepCosts, type StepCost } from "./step-costs";

/**
 * Time to diagnosis (issue: "the first answer in one round trip"): lab hosts holding a day of log
 * history each (day-of-logs.ts, rotated files included, rewritten before every round), proxy-1's
 * upstream stopped and hit so its window holds the real refused errors. Per size, in rounds that
 * run every contender once (so all see the same load): the bot's `run --triage --json` and whole
 * `run --json` as processes, start-up included; the floor, a plain ssh2 client with one exec per
 * host running the triage commands joined; parallel-ssh and a sequential ssh loop with the same
 * commands; parallel-ssh with the whole phase's commands. Then each step's host CPU and wall time
 * at 1 and 30 hosts, and the CLI's start-up. `npm run build && npm run bench -- triage [--sizes
 * 1,10,30] [--runs 5] [--step-sizes 1,30] [--step-runs 5]`.
 */
const root = resolve(__dirname, "../../..");
const HEADING = "## Time to diagnosis (triage first)";
const BROKEN = "proxy-1";

interface Contender {
  name: string;
  argv(hosts: string[]): string[];
}

interface PlannedStep {
  stepId: string;
  command: string;
  triage: boolean;
}

interface Plan {
  host: string;
  address: string;
  steps: PlannedStep[];
  /** An earlier version of a step, measured beside the current one. */
  before: PlannedStep;
}

export async function runTriageBench(args: Map<string, string> = new Map()): Promise<string> {
  const list = (name: string, fallback: string) =>
    (args.get(name) ?? fallback).split(",").map(Number);
  const sizes = list("sizes", "1,10,30");
  const stepSizes = list("step-sizes", "1,30");
  const runs = Number(args.get("runs") ?? "5");
  const stepRuns = Number(args.get("step-runs") ?? "5");
  const loadBefore = loadavg()[0] ?? 0;
  const cleanup = new Cleanup();
  const work = mkdtempSync(join(tmpdir(), "incident-bot-triage-"));
  cleanup.add(() => rmSync(work, { recursive: true, force: true }));
  try {
    // parallel-ssh is a contender: without it the table would time a "command not found".
    if (!ensureDebianCommand("parallel-ssh", "pssh")) throw new Error("parallel-ssh is needed");
    const lab = await up(Math.max(...sizes, ...stepSizes));
    cleanup.add(() => lab.down());
    await lab.break(BROKEN, "upstream-stopped");
    const plans = await planAll(lab);
    const rows: string[] = [];
    const verdicts: string[] = [];
    const medians = new Map<string, number>();
    for (const size of sizes) {
      const hosts = plans.slice(0, size);
      const contenders = contendersFor(lab, hosts, work);
      const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
      for (let round = 0; round <= runs; round++) {
        await freshLogs(lab, size);
        for (const contender of contenders) {
          const sample = await measure(contender.argv(hosts.map((h) => h.host)));
          if (round > 0) samples.get(contender.name)?.push(sample);
        }
      }
      for (const contender of contenders) {
        const got = samples.get(contender.name) ?? [];
        medians.set(`${size}:${contender.name}`, median(got.map((s) => s.wallMs)));
        rows.push(row(size, contender.name, got));
        process.stderr.write(
          `  N=${size} ${contender.name}: ${ms(median(got.map((s) => s.wallMs)))}\n`,
        );
      }
      verdicts.push(checkDiagnosis(lab, size));
    }
    await freshLogs(lab, Math.max(...stepSizes));
    const costs = await measureStepCosts(
      lab,
      plans.map((p) => ({ host: p.host, steps: [...p.steps, p.before] })),
      stepSizes,
      stepRuns,
    );
    const inRun = stepDurationsInRun(lab, Math.max(...stepSizes));
    const startup = startUp(lab, runs);
    const markdown = render({
      sizes,
      runs,
      rows,
      medians,
      verdicts,
      costs,
      inRun,
      startup,
      plans,
      load: [loadBefore, loadavg()[0] ?? 0],
    });
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/triage.md", markdown);
    await writeSection("BENCHMARKS.md", HEADING, markdown);
    return markdown;
  } finally {
    await cleanup.run();
  }
}

/** Every lab host's plan of the immediate phase, as `run --dry-run` renders it. */
async function planAll(lab: Lab): Promise<Plan[]> {
  const { playbooks } = await loadPlaybooks(join(root, "playbooks"));
  const playbook = playbooks.find((p) => p.id === "apache-502");
  const { inventory } = await loadInventory(lab.inventoryPath);
  if (!playbook || !inventory) throw new Error("apache-502 or the lab inventory did not load");
  const triage = new Set((playbook.phases.immediate ?? []).filter(isTriageStep).map((s) => s.id));
  const hosts = resolveInventoryHosts(
    inventory,
    lab.hosts.map((h) => h.name),
  );
  return hosts.map((host) => ({
    host: host.name,
    address: host.target.address,
    steps: planCommands(playbook, "immediate", host)
      .filter((step) => step.kind === "diagnostic" || step.kind === "check")
      .map((step) => ({
        stepId: step.stepId,
        command: step.commands.join("\n"),
        triage: triage.has(step.stepId),
      })),
    before: {
      stepId: "open-files as it was (pgrep -P)",
      command: renderCommand(OPEN_FILES_BEFORE, hostVariables(playbook, host.vars).values),
      triage: false,
    },
  }));
}

/** open-files before it read the children from /proc: for the cost table's before/after. */
const OPEN_FILES_BEFORE = [
  "name={{ apache_process }}; pidfile={{ apache_pid_file }}",
  'main=; read -r main 2>/dev/null < "$pidfile"',
  'if [ -n "$main" ] && [ -d "/proc/$main" ]; then pids="$main $(pgrep -P "$main")"; else pids=$(pgrep -x "$name"); fi',
  "for p in $pids; do",
  '  set -- /proc/"$p"/fd/*; fds=$#; [ -e "$1" ] || fds=0',
  '  limit=; while read -r a b c d _; do [ "$a $b $c" = "Max open files" ] && limit=$d; done 2>/dev/null < /proc/"$p"/limits',
  '  echo "pid=$p fds=$fds limit=$limit"',
  "done",
].join("\n");

/** A day of history in every host's logs, then real traffic: the broken host's errors in the window. */
async function freshLogs(lab: Lab, size: number): Promise<void> {
  for (const host of lab.hosts.slice(0, size)) writeDayOfLogs(host, DEFAULT_DAY);
  await Promise.all(
    lab.hosts.slice(0, size).map((h) => lab.hit(h.name, h.name === BROKEN ? 20 : 5)),
  );
}

/** Each step in its own subshell, as each bot step runs in its own `sh`. */
function joined(plan: Plan, which: "triage" | "all"): string {
  return plan.steps
    .filter((step) => which === "all" || step.triage)
    .map((step) => `( ${step.command}\n) 2>&1`)
    .join("\n");
}

/** One script for every host: each picks its own commands by the address it was reached on. */
function fleetScript(hosts: Plan[], which: "triage" | "all"): string {
  const cases = hosts.map((h) => `  ${h.address}) ${joined(h, which)} ;;`);
  return ["set -- $SSH_CONNECTION", "case $3 in", ...cases, "esac"].join("\n");
}

function contendersFor(lab: Lab, hosts: Plan[], work: string): Contender[] {
  const bot = (extra: string[]) => (names: string[]) => [
    process.execPath,
    join(root, "bin", "incident-bot.js"),
    "run",
    "apache-502",
    "--json",
    ...extra,
    "--inventory",
    lab.inventoryPath,
    "--playbooks",
    join(root, "playbooks"),
    "--hosts",
    names.join(","),
  ];
  const spec: FloorSpec = {
    privateKeyPath: lab.privateKeyPath,
    knownHostsPath: lab.knownHostsPath,
    hosts: hosts.map((h) => ({
      name: h.host,
      address: h.address,
      port: 22,
      user: "root",
      command: joined(h, "triage"),
    })),
  };
  const specPath = join(work, `floor-${hosts.length}.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const hostFile = join(work, `pssh-hosts-${hosts.length}`);
  writeFileSync(hostFile, hosts.map((h) => `root@${h.address}`).join("\n") + "\n");
  const opts = sshOptions(lab);
  const pssh = (script: string) => () => [
    "parallel-ssh",
    "-p",
    String(hosts.length),
    "-t",
    "120",
    "-h",
    hostFile,
    ...opts.flatMap((o) => ["-x", o]),
    script,
  ];
  const triageScript = fleetScript(hosts, "triage");
  const loopFile = join(work, `ssh-loop-${hosts.length}.sh`);
  writeFileSync(
    loopFile,
    hosts
      .map(
        (h) =>
          `ssh ${opts.map(shq).join(" ")} root@${h.address} ${shq(triageScript)} >/dev/null || true`,
      )
      .join("\n") + "\n",
  );
  return [
    { name: "bot: run --triage --json", argv: bot(["--triage"]) },
    {
      name: "ssh2 floor: triage, one exec per host",
      argv: () => [process.execPath, join(root, "dist/bench/triage/ssh2-floor.js"), specPath],
    },
    { name: "parallel-ssh: triage", argv: pssh(triageScript) },
    { name: "ssh loop: triage", argv: () => ["sh", loopFile] },
    { name: "bot: run --json (whole phase)", argv: bot([]) },
    { name: "parallel-ssh: whole phase", argv: pssh(fleetScript(hosts, "all")) },
  ];
}

function shq(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function runJson(
  lab: Lab,
  size: number,
  triage: boolean,
): {
  diagnosis?: { cause?: string; hosts?: string[] };
  hosts?: { steps: { id: string; durationMs: number }[] }[];
} {
  const names = lab.hosts
    .slice(0, size)
    .map((h) => h.name)
    .join(",");
  const ran = spawnSync(
    process.execPath,
    [
      join(root, "bin", "incident-bot.js"),
      "run",
      "apache-502",
      "--json",
      ...(triage ? ["--triage"] : []),
      "--inventory",
      lab.inventoryPath,
      "--hosts",
      names,
    ],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(ran.stdout) as ReturnType<typeof runJson>;
}

/** Do the triage run and the whole phase name the same cause on the broken host? */
function checkDiagnosis(lab: Lab, size: number): string {
  const say = (r: ReturnType<typeof runJson>) =>
    `${r.diagnosis?.cause ?? "?"} on ${(r.diagnosis?.hosts ?? []).join(", ") || "no host"}`;
  return `${size} host(s): triage says ${say(runJson(lab, size, true))}; the whole phase says ${say(runJson(lab, size, false))}`;
}

/** Each step's duration inside the bot's own whole-phase run (median over the hosts). */
function stepDurationsInRun(lab: Lab, size: number): Map<string, number> {
  const report = runJson(lab, size, false);
  const byStep = new Map<string, number[]>();
  for (const host of report.hosts ?? []) {
    for (const step of host.steps)
      byStep.set(step.id, [...(byStep.get(step.id) ?? []), step.durationMs]);
  }
  return new Map([...byStep].map(([id, values]) => [id, median(values)]));
}

function startUp(lab: Lab, runs: number): { node: number[]; dryRun: number[] } {
  const time = (argv: string[]): number => {
    const started = performance.now();
    spawnSync(argv[0] ?? "", argv.slice(1), { stdio: "ignore" });
    return performance.now() - started;
  };
  const node: number[] = [];
  const dryRun: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const n = time([process.execPath, "-e", "0"]);
    const d = time([
      process.execPath,
      join(root, "bin", "incident-bot.js"),
      "run",
      "apache-502",
      "--dry-run",
      "--json",
      "--inventory",
      lab.inventoryPath,
      "--hosts",
      "proxy-1",
    ]);
    if (i === 0) continue;
    node.push(n);
    dryRun.push(d);
  }
  return { node, dryRun };
}

const fmt = (value: number): string => `${(value / 1000).toFixed(2)} s`;

function row(size: number, name: string, samples: Sample[]): string {
  const wall = samples.map((s) => s.wallMs);
  const fails = samples.filter((s) => s.code !== 0).length;
  return `| ${size} | ${name}${fails ? ` (${fails} non-zero exits)` : ""} | ${fmt(median(wall))} | ${fmt(Math.min(...wall))}–${fmt(Math.max(...wall))} | ${fmt(median(samples.map((s) => s.cpuMs)))} | ${fmt(median(samples.map((s) => s.machineCpuMs)))} |`;
}

interface Report {
  sizes: number[];
  runs: number;
  rows: string[];
  medians: Map<string, number>;
  verdicts: string[];
  costs: StepCost[];
  inRun: Map<string, number>;
  startup: { node: number[]; dryRun: number[] };
  plans: Plan[];
  load: [number, number];
}

function ratioLines(r: Report): string[] {
  const m = (size: number, name: string) => r.medians.get(`${size}:${name}`) ?? NaN;
  const lines: string[] = [];
  for (const size of r.sizes) {
    const triage = m(size, "bot: run --triage --json");
    const floor = m(size, "ssh2 floor: triage, one exec per host");
    const target = size === 1 ? 1.5 : size >= 30 ? 1.15 : null;
    const ratio = triage / floor;
    const verdict =
      target === null
        ? ""
        : ratio <= target
          ? ` (target ≤ ${target}×: met)`
          : ` (target ≤ ${target}×: missed by ${((ratio / target - 1) * 100).toFixed(0)}%)`;
    lines.push(
      `| ${size} | ${ratio.toFixed(2)}×${verdict} | ${(triage / m(size, "parallel-ssh: triage")).toFixed(2)}× | ${(triage / m(size, "ssh loop: triage")).toFixed(2)}× | ${(m(size, "bot: run --json (whole phase)") / m(size, "parallel-ssh: whole phase")).toFixed(2)}×${size >= 30 ? " (target ≤ 1×)" : ""} |`,
    );
  }
  return lines;
}

function costLines(r: Report): string[] {
  const triage = new Set(r.plans[0]?.steps.filter((s) => s.triage).map((s) => s.stepId));
  const sizes = [...new Set(r.costs.map((c) => c.hosts))];
  const ids = [...new Set(r.costs.map((c) => c.stepId))];
  return ids.map((id) => {
    const cells = sizes.map((size) => {
      const cost = r.costs.find((c) => c.stepId === id && c.hosts === size);
      return cost ? `${cost.cpuMs.toFixed(1)} ms | ${cost.wallMs.toFixed(1)} ms` : "— | —";
    });
    return `| ${id}${triage.has(id) ? " (triage)" : ""} | ${cells.join(" | ")} | ${ms(r.inRun.get(id) ?? NaN)} |`;
  });
}

function render(r: Report): string {
  const sizes = [...new Set(r.costs.map((c) => c.hosts))];
  const largest = Math.max(...sizes);
  return [
    HEADING,
    "",
    `\`npm run build && npm run bench -- triage --sizes ${r.sizes.join(",")} --runs ${r.runs}\` on ${new Date().toISOString().slice(0, 10)}, ` +
      `${availableParallelism()} cores shared with other work running on the machine (1-minute load average ${r.load[0].toFixed(1)} before, ${r.load[1].toFixed(1)} after), Node ${process.version}. ` +
      `${r.runs} rounds after a warm-up round; each round rewrites every host's logs with a day of history (${(DEFAULT_DAY.accessBytes / 2 ** 20).toFixed(0)} MiB of access log and ${(DEFAULT_DAY.errorBytes / 2 ** 20).toFixed(0)} MiB of error log over 24 h, the part before a rotation ${DEFAULT_DAY.rotatedHoursAgo} h ago in \`.1\` files, old timeouts 6 h ago and refused connections 20 h ago), then sends real requests (${BROKEN}'s upstream is stopped: its window holds the refused errors its Apache really wrote) and runs every contender once. Median (min–max) of wall time; client CPU is user+system of the client's process tree; machine CPU is all cores' busy time during the run.`,
    "",
    "| hosts | contender | median | min–max | client CPU | machine CPU |",
    "| ---: | --- | ---: | ---: | ---: | ---: |",
    ...r.rows,
    "",
    "| hosts | bot `--triage` ÷ ssh2 floor | ÷ parallel-ssh triage | ÷ ssh loop triage | bot whole phase ÷ parallel-ssh whole phase |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...ratioLines(r),
    "",
    ...r.verdicts.map((v) => `- ${v}.`),
    `- Start-up: \`incident-bot run apache-502 --dry-run --json --hosts proxy-1\` (loads the playbooks and inventory, renders, runs nothing) ${spreadMs(r.startup.dryRun)}; \`node -e 0\` ${spreadMs(r.startup.node)}. The \`run\` command loads zod, the \`yaml\` parser only for a playbook or inventory not in its cache of validated files (the warm-up round fills it), and node-ssh/ssh2 only when it opens a connection: no Bolt, BullMQ, ioredis, pino or prom-client (test/integration/cli.test.ts checks it).`,
    "",
    `Cost per step on the host: the step's command alone (\`sh -c\` and what it starts, CPU from getrusage on the host), run on 1 and on ${largest} hosts at once, median over the hosts and ${r.runs} runs; the last column is the step's duration inside the bot's own whole-phase run at ${largest} hosts (median over the hosts).`,
    "",
    `| step | ${sizes.map((s) => `host CPU at ${s} | wall at ${s}`).join(" | ")} | in the bot's run at ${largest} |`,
    `| --- | ${sizes.map(() => "---: | ---:").join(" | ")} | ---: |`,
    ...costLines(r),
    "",
  ].join("\n");
}
