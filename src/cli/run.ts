import { parseArgs } from "node:util";
import { loadInventory, resolveInventoryHosts } from "../adapters/playbooks/load-inventory";
import { join } from "node:path";
import { loadPlaybookFile, loadPlaybooks } from "../adapters/playbooks/load-playbooks";
import {
  PlaybookInputError,
  engineDefaults,
  planCommands,
  runPlaybook,
  type ResolvedHost,
} from "../engine/host-steps";
import {
  HostSelectionError,
  serviceVars,
  servicesOnHost,
  type Inventory,
} from "../domain/inventory";
import { Phase } from "../domain/phase";
import { PLAYBOOK_ID, kindMismatch, type Playbook } from "../domain/playbook";
import { isTriageStep } from "../domain/triage";
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo, type Subcommand } from "./io";
import { EarlyConnections } from "./early-connections";
import { renderPlan, renderReport } from "./run-output";
import { cliFileCache } from "./file-cache";
import { cliConfig } from "./settings";
import type { ValidatedFileCache } from "../adapters/playbooks/validated-cache";
import type { RemoteExecutor } from "../ports/remote-executor";

export const runUsage =
  "incident-bot run PLAYBOOK --hosts H[,H…] [--phase PHASE] [--json] [--triage] [--dry-run] [--var NAME=VALUE]… [--concurrency N] [--playbooks DIR] [--inventory FILE]";

const options = {
  hosts: { type: "string" },
  phase: { type: "string", default: "immediate" },
  json: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  triage: { type: "boolean", default: false },
  var: { type: "string", multiple: true },
  concurrency: { type: "string" },
  playbooks: { type: "string" },
  inventory: { type: "string" },
} as const;

/**
 * Runs one phase of a playbook over SSH on the selected hosts and prints per-host results and
 * the diagnosis (`--json`: the CONTRACT document). Exit 0 when every step ran, 1 when one could not.
 */
export const run: Subcommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one PLAYBOOK");
  if (!values.hosts) throw new UsageError("--hosts is required (host names, group names or all)");
  const phase = Phase.safeParse(values.phase);
  if (!phase.success) throw new UsageError(`--phase must be one of ${Phase.options.join(", ")}`);
  const concurrency = parseConcurrency(values.concurrency);
  const config = cliConfig(io);
  const overrides = parseVars(values.var ?? []);
  const cache = cliFileCache(config);
  const { hosts, inventory } = await selectHosts(
    values.inventory ?? config.inventoryPath,
    values.hosts,
    overrides,
    cache,
  );
  const executor = new EarlyConnections(sshOnFirstConnect());
  if (!values["dry-run"]) {
    const first = hosts.slice(0, concurrency ?? engineDefaults.concurrency);
    executor.open(
      first.map((host) => host.target),
      engineDefaults.connectTimeoutMs,
    );
  }
  try {
    return await runLoaded(io, {
      values,
      positionals,
      phase: phase.data,
      concurrency,
      hosts,
      executor,
      playbooksDir: values.playbooks ?? config.playbooksDir,
      cache,
      serviceVarsOf: (host, playbook) => ({
        ...ownServiceVars(inventory, host, playbook),
        ...overrides,
      }),
    });
  } finally {
    await executor.closeUnused();
  }
};

/** The run once its hosts are known (and their connections under way). */
async function runLoaded(
  io: CliIo,
  input: {
    values: { json: boolean; triage: boolean; "dry-run": boolean };
    positionals: string[];
    phase: Phase;
    concurrency: number | undefined;
    hosts: ResolvedHost[];
    executor: EarlyConnections;
    playbooksDir: string;
    cache: ValidatedFileCache | undefined;
    /** A service playbook's variables for a host (from the inventory's services:, then --var). */
    serviceVarsOf(host: string, playbook: Playbook): Record<string, string>;
  },
): Promise<number> {
  const { values, positionals, phase, concurrency, executor, playbooksDir } = input;
  const playbook = await findPlaybook(playbooksDir, positionals[0] ?? "", input.cache);
  if (!playbook.phases[phase]) {
    const has = Object.keys(playbook.phases).join(", ");
    throw new UsageError(`playbook "${playbook.id}" has no ${phase} phase (it has: ${has})`);
  }
  const hosts = playbook.service
    ? input.hosts.map((h) => ({
        ...h,
        vars: { ...h.vars, ...input.serviceVarsOf(h.name, playbook) },
      }))
    : input.hosts;
  const triageOnly = values.triage;
  if (triageOnly && !(playbook.phases[phase] ?? []).some(isTriageStep)) {
    throw new UsageError(`playbook "${playbook.id}" marks no ${phase} step triage: true`);
  }
  const misfit = kindMismatch(playbook, hosts);
  if (misfit) throw new UsageError(`${misfit}: run each kind's own playbook on them`);
  if (values["dry-run"]) {
    return dryRun(io, playbook, phase, hosts, { json: values.json, triageOnly });
  }
  const report = await runPlaybook(
    { executor, nowMs: () => Date.now() },
    { playbook, phase, hosts, concurrency, triageOnly },
  );
  const document = triageOnly ? { ...report, triage: true } : report;
  io.out(values.json ? JSON.stringify(document, null, 2) : renderReport(report));
  const couldNotRun = report.hosts.some((host) => host.steps.some((s) => s.status === "error"));
  return couldNotRun ? EXIT_FAILED : EXIT_OK;
}

/**
 * The SSH executor, loaded when the first connection opens: node-ssh and ssh2 take a quarter of
 * the start-up, and a dry run connects to nothing. CommonJS output, hence require.
 */
function sshOnFirstConnect(): RemoteExecutor {
  let ssh: RemoteExecutor | undefined;
  return {
    connect: (target, options) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy loading, see above
      ssh ??= new (require("../adapters/ssh/ssh-executor") as SshModule).SshExecutor();
      return ssh.connect(target, options);
    },
  };
}
type SshModule = typeof import("../adapters/ssh/ssh-executor");

function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,3}$/.test(text)) throw new UsageError("--concurrency must be 1 to 9999");
  return Number(text);
}

function parseVars(items: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf("=");
    if (at < 1) throw new UsageError(`--var takes NAME=VALUE, not "${item}"`);
    vars[item.slice(0, at)] = item.slice(at + 1);
  }
  return vars;
}

async function findPlaybook(
  dir: string,
  id: string,
  cache: ValidatedFileCache | undefined,
): Promise<Playbook> {
  // A playbook's id is its file name (validate enforces it), so the one file is enough: parsing
  // the others' YAML cost a one-host run as much as its SSH round trip. The whole directory is
  // read only to explain why the playbook is missing or broken.
  if (PLAYBOOK_ID.test(id)) {
    for (const ext of [".yaml", ".yml"]) {
      const one = await loadPlaybookFile(join(dir, `${id}${ext}`), cache);
      const [found] = one.playbooks;
      if (found?.id === id) return found;
    }
  }
  const { playbooks, errors } = await loadPlaybooks(dir, cache);
  const playbook = playbooks.find((candidate) => candidate.id === id);
  if (playbook) return playbook;
  const broken = errors.filter(
    (error) => error.includes(`${id}.yaml:`) || error.includes(`${id}.yml:`),
  );
  if (broken.length > 0)
    throw new UsageError(`playbook "${id}" is invalid:\n  ${broken.join("\n  ")}`);
  const known = playbooks.map((candidate) => candidate.id).join(", ") || "none";
  throw new UsageError(`no playbook "${id}" in ${dir} (known: ${known})`);
}

async function selectHosts(
  inventoryPath: string,
  selection: string,
  overrides: Record<string, string>,
  cache: ValidatedFileCache | undefined,
): Promise<{ hosts: ResolvedHost[]; inventory: Inventory }> {
  const loaded = await loadInventory(inventoryPath, cache);
  if (!loaded.inventory)
    throw new UsageError(`invalid inventory:\n  ${loaded.errors.join("\n  ")}`);
  const names = selection
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  try {
    const inventory = loaded.inventory;
    const hosts = resolveInventoryHosts(inventory, names).map((host) => ({
      ...host,
      vars: { ...host.vars, ...overrides },
    }));
    return { hosts, inventory };
  } catch (error) {
    if (error instanceof HostSelectionError) throw new UsageError(error.message);
    throw error;
  }
}

function dryRun(
  io: CliIo,
  playbook: Playbook,
  phase: Phase,
  hosts: ResolvedHost[],
  how: { json: boolean; triageOnly: boolean },
): number {
  const triage = new Set((playbook.phases[phase] ?? []).filter(isTriageStep).map((s) => s.id));
  const plans = [];
  let failed = false;
  for (const host of hosts) {
    try {
      const steps = planCommands(playbook, phase, host);
      plans.push({
        host: host.name,
        target: host.target,
        steps: how.triageOnly ? steps.filter((step) => triage.has(step.stepId)) : steps,
      });
    } catch (error) {
      if (!(error instanceof PlaybookInputError)) throw error;
      failed = true;
      io.err(`${host.name}: cannot plan: ${error.message}`);
    }
  }
  const document = { playbook: playbook.id, phase, dryRun: true, hosts: plans };
  io.out(how.json ? JSON.stringify(document, null, 2) : renderPlan(document));
  return failed ? EXIT_FAILED : EXIT_OK;
}

/**
 * A service playbook on a host gets the unit, container or pods of the one service of its manager
 * the inventory puts on that host; with none or several, `--var` says which.
 */
function ownServiceVars(
  inventory: Inventory,
  host: string,
  playbook: Playbook,
): Record<string, string> {
  if (!playbook.service) return {};
  const services = servicesOnHost(inventory, host, playbook.service);
  const [only] = services;
  return services.length === 1 && only ? serviceVars(only[1]) : {};
}
