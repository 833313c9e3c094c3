import { ensureDebianCommand } from "../debian-command";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadInventory, resolveInventoryHosts } from "../../src/adapters/playbooks/load-inventory";
import { loadPlaybooks } from "../../src/adapters/playbooks/load-playbooks";
import { planCommands } from "../../src/engine/host-steps";
import { proxyKind } from "../../src/domain/proxies/registry";
import { up } from "../../test/lab/lab";
import { PROXY_KINDS } from "../../test/lab/modes";
import { contenders, type Contender } from "./contenders";
import { measure, median, type Sample } from "./measure";

/**
 * The fan-out benchmark of BENCHMARKS-GUIDE.md: the immediate phase of apache-502 over 1, 10 and
 * 30 lab hosts, the bot as a whole process beside a sequential ssh loop, parallel-ssh and ansible
 * running the same commands. Prints a markdown table (median, min–max, client CPU, ratios).
 */
export interface FanoutOptions {
  sizes: number[];
  runs: number;
  /**
   * The fleet: `apache` (every host Apache, the default) or `mixed` (Apache, nginx and HAProxy
   * dealt round-robin, each host running its own kind's playbook).
   */
  fleet?: "apache" | "mixed";
}

const root = resolve(__dirname, "../../..");

export async function runFanout(options: FanoutOptions): Promise<string> {
  const largest = Math.max(...options.sizes);
  const fleet = options.fleet ?? "apache";
  const lab = await up(largest, fleet === "mixed" ? { kinds: [...PROXY_KINDS] } : {});
  // An interrupted bench must not leave 30 sshd and upstream processes behind.
  const stop = (): void => {
    void lab.down().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop).once("SIGTERM", stop);
  const work = mkdtempSync(join(tmpdir(), "incident-bot-bench-"));
  try {
    const names = lab.hosts.map((host) => host.name);
    const script = await immediateScript(lab.inventoryPath, names);
    const kinds = await hostKinds(lab.inventoryPath, names);
    const available = contenders(lab, kinds).filter(ensureInstalled);
    const rows: string[] = [];
    const bySize = new Map<number, Map<string, number>>();
    for (const size of options.sizes) {
      const hosts = lab.hosts.slice(0, size);
      const medians = new Map<string, number>();
      for (const contender of available) {
        const { argv, env } = contender.command(hosts, script, work);
        await measure(argv, env); // warm-up: page cache, sshd forks, Python bytecode
        const samples: Sample[] = [];
        for (let i = 0; i < options.runs; i += 1) samples.push(await measure(argv, env));
        medians.set(contender.name, median(samples.map((s) => s.wallMs)));
        rows.push(row(size, contender, samples));
        process.stderr.write(
          `  N=${size} ${contender.name}: ${fmt(median(samples.map((s) => s.wallMs)))}\n`,
        );
      }
      rows.push(ratioRow(size, medians));
      bySize.set(size, medians);
    }
    return table({ ...options, fleet }, rows, scaling(options.sizes, bySize));
  } finally {
    process.off("SIGINT", stop).off("SIGTERM", stop);
    await lab.down();
    rmSync(work, { recursive: true, force: true });
  }
}

async function hostKinds(inventoryPath: string, names: string[]): Promise<Map<string, string>> {
  const { inventory } = await loadInventory(inventoryPath);
  if (!inventory) throw new Error("the lab inventory did not load");
  return new Map(resolveInventoryHosts(inventory, names).map((h) => [h.name, h.kind]));
}

/**
 * The per-host commands: the bot's own plan of each host's kind's playbook, immediate phase
 * (runnable steps), for every lab host. Each step runs in its own subshell, as each bot step runs in its own `sh`, so a
 * step's `exit` ends that step only (one shared shell used to stop at upstream-dns's `exit`). Steps
 * whose command differs per host (upstream and proxy URLs) pick the host's own command by the
 * address the client connected to (SSH_CONNECTION), so one script serves pssh and ansible too.
 */
async function immediateScript(inventoryPath: string, hostNames: string[]): Promise<string> {
  const { playbooks } = await loadPlaybooks(join(root, "playbooks"));
  const { inventory } = await loadInventory(inventoryPath);
  if (!inventory) throw new Error("the lab inventory did not load");
  const hosts = resolveInventoryHosts(inventory, hostNames);
  const plans = hosts.map((host) => {
    const playbook = playbooks.find((p) => p.id === proxyKind(host.kind).defaultPlaybook);
    if (!playbook) throw new Error(`no playbook for ${host.kind}`);
    return planCommands(playbook, "immediate", host)
      .filter((step) => step.kind === "diagnostic" || step.kind === "check")
      .map((step) => `( ${step.commands.join("\n")}\n) 2>&1`);
  });
  const first = plans[0] ?? [];
  const same = plans.every((plan) => plan.length === first.length);
  if (same) {
    const steps = first.map((_, index) => {
      const perHost = plans.map((plan) => plan[index] ?? "");
      if (perHost.every((command) => command === perHost[0])) return perHost[0] ?? "";
      const cases = hosts.map((host, h) => `  ${host.target.address}) ${perHost[h]} ;;`);
      return ["case $3 in", ...cases, '  *) echo "unknown host $3" >&2 ;;', "esac"].join("\n");
    });
    return ["set -- $SSH_CONNECTION", ...steps].join("\n");
  }
  // Hosts of several kinds: each host's whole plan, picked by the address it was reached at.
  const cases = hosts.map(
    (host, h) => `  ${host.target.address})\n${(plans[h] ?? []).join("\n")}\n  ;;`,
  );
  return [
    "set -- $SSH_CONNECTION",
    "case $3 in",
    ...cases,
    '  *) echo "unknown host $3" >&2 ;;',
    "esac",
  ].join("\n");
}

function ensureInstalled(contender: Contender): boolean {
  return !contender.needs || ensureDebianCommand(contender.needs.command, contender.needs.pkg);
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function row(size: number, contender: Contender, samples: Sample[]): string {
  const wall = samples.map((s) => s.wallMs);
  const cpu = median(samples.map((s) => s.cpuMs));
  const machine = median(samples.map((s) => s.machineCpuMs));
  const failures = samples.filter((s) => s.code !== 0).length;
  const note = failures ? ` (${failures} non-zero exits)` : "";
  return `| ${size} | ${contender.name}${note} | ${fmt(median(wall))} | ${fmt(Math.min(...wall))}–${fmt(Math.max(...wall))} | ${fmt(cpu)} | ${fmt(machine)} | ${fmt(machine / cpus().length)} |`;
}

/** Each contender's largest-lab time over its one-host time: the figure the 2× target is about. */
function scaling(sizes: number[], bySize: Map<number, Map<string, number>>): string {
  const smallest = bySize.get(Math.min(...sizes));
  const largest = bySize.get(Math.max(...sizes));
  if (!smallest || !largest || smallest === largest) return "";
  const ratios = [...largest].map(([name, ms]) => {
    const base = smallest.get(name) ?? NaN;
    return `${name} ${(ms / base).toFixed(1)}×`;
  });
  return `${Math.max(...sizes)} hosts ÷ ${Math.min(...sizes)}: ${ratios.join("; ")}`;
}

function ratioRow(size: number, medians: Map<string, number>): string {
  const bot = medians.get("incident-bot run --json") ?? NaN;
  const ratios = [...medians]
    .filter(([name]) => !name.startsWith("incident-bot"))
    .map(([name, ms]) => `${(bot / ms).toFixed(2)}× ${name}`);
  return `| ${size} | **bot ÷ others** | ${ratios.join("; ")} | | | | |`;
}

function table(options: FanoutOptions, rows: string[], scalingLine: string): string {
  return [
    `Fan-out: ${options.fleet === "mixed" ? "a mixed fleet (Apache, nginx, HAProxy round-robin), each host its kind's playbook" : "apache-502"}, immediate phase, ${options.runs} runs after a warm-up, ${cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| hosts | contender | median | min–max | client CPU (median) | machine CPU (median) | machine CPU ÷ cores |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    scalingLine,
  ].join("\n");
}
