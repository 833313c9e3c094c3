import { spawn } from "node:child_process";
import { loadInventory, resolveInventoryHosts } from "../../src/adapters/playbooks/load-inventory";
import { SshExecutor } from "../../src/adapters/ssh/ssh-executor";
import { runHostSteps, type ResolvedHost } from "../../src/engine/host-steps";
import type { Playbook, Step } from "../../src/domain/playbook";
import type { Lab } from "../../test/lab/lab";
import { sshOptions } from "../fanout/contenders";

/** One timed read of the log over SSH: wall time and the payload bytes that came back. */
export interface Sample {
  wallMs: number;
  /** stdout + stderr bytes the client received (before any client-side cap). */
  bytesBack: number;
  /** Bytes the client kept (the bot caps each stream; the baselines keep what tail prints). */
  bytesKept: number;
  /** Log lines in what was kept (the bot: lines of the window it returned). */
  lines: number;
}

/** The bot: the playbook's `error-log` step, rendered and run by the engine over the SSH executor. */
export class BotStep {
  private readonly executor = new SshExecutor();

  private constructor(
    private readonly playbook: Playbook,
    private readonly step: Step,
    private readonly host: ResolvedHost,
  ) {}

  static async create(lab: Lab, playbook: Playbook, hostName: string): Promise<BotStep> {
    const step = playbook.phases.immediate?.find((s) => s.id === "error-log");
    if (!step) throw new Error("apache-502 has no immediate error-log step");
    const { inventory } = await loadInventory(lab.inventoryPath);
    if (!inventory) throw new Error(`the lab inventory ${lab.inventoryPath} did not load`);
    const [host] = resolveInventoryHosts(inventory, [hostName]);
    if (!host) throw new Error(`no ${hostName} in the lab inventory`);
    return new BotStep(playbook, step, host);
  }

  /** Connects, runs the step for a window of `minutes`, disconnects (as a host job does). */
  async run(minutes: number): Promise<Sample> {
    const host = { ...this.host, vars: { ...this.host.vars, log_window_minutes: minutes } };
    const started = performance.now();
    const report = await runHostSteps(this.executor, this.playbook, [this.step], host);
    const wallMs = performance.now() - started;
    const result = report.steps[0];
    if (!result || result.status !== "ok") {
      throw new Error(`error-log step: ${result?.status ?? "no result"} ${result?.reason ?? ""}`);
    }
    // The executor keeps the first maxOutputBytes of each stream and counts the rest; its marker
    // says how many bytes it dropped, which still came over SSH.
    const marker = /…\[output truncated after \d+ bytes; (\d+) more bytes dropped\]\n?/g;
    let dropped = 0;
    for (const match of result.output.matchAll(marker)) dropped += Number(match[1]);
    const kept = result.output.replace(marker, "");
    const keptBytes = Buffer.byteLength(kept);
    const lines = kept.split("\n").filter((line) => line.startsWith("[")).length;
    return { wallMs, bytesBack: keptBytes + dropped, bytesKept: keptBytes, lines };
  }
}

/** The fan-out bench's OpenSSH options, plus the lab host to reach. */
export function sshArgs(lab: Lab, address: string): string[] {
  return [...sshOptions(lab), `root@${address}`];
}

/**
 * `ssh HOST REMOTE | tail` run as a shell user would: the bytes ssh writes are counted on their
 * way into a local `tail`, whose output is what the user sees.
 */
export function sshPipeTail(ssh: string[], remote: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const client = spawn("ssh", [...ssh, remote], { stdio: ["ignore", "pipe", "pipe"] });
    const tail = spawn("tail", [], { stdio: ["pipe", "pipe", "inherit"] });
    let bytesBack = 0;
    let shown = "";
    let errors = "";
    client.stdout.on("data", (chunk: Buffer) => (bytesBack += chunk.length));
    client.stderr.on("data", (chunk: Buffer) => {
      bytesBack += chunk.length;
      errors += chunk.toString();
    });
    client.stdout.pipe(tail.stdin);
    tail.stdout.on("data", (chunk: Buffer) => (shown += chunk.toString()));
    client.on("error", reject);
    tail.on("error", reject);
    const exited = new Promise<number | null>((done) => client.on("close", done));
    const shownAll = new Promise<void>((done) => tail.on("close", () => done()));
    void Promise.all([exited, shownAll]).then(([code]) => {
      const wallMs = performance.now() - started;
      // grep exits 1 when nothing matched; anything else is a failed run.
      if (code !== 0 && code !== 1) {
        reject(new Error(`ssh exited ${String(code)}: ${errors.trim()}`));
        return;
      }
      const lines = shown.split("\n").filter((line) => line.startsWith("[")).length;
      resolve({ wallMs, bytesBack, bytesKept: Buffer.byteLength(shown), lines });
    });
  });
}
