import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Sample {
  wallMs: number;
  /** User + system CPU of the client process tree (all waited-for children). */
  cpuMs: number;
  /**
   * Busy CPU of the whole machine during the run (/proc/stat): the client, the lab's sshd,
   * Apache and upstreams, and the commands. Divided by the core count, it is the least wall time
   * that work could take here, whoever the client.
   */
  machineCpuMs: number;
  code: number | null;
}

const TICK_MS = 10; // CLK_TCK is 100 on Linux

/**
 * Runs a command under a tiny sh that, once it has waited for it, prints its own cutime and
 * cstime from /proc: the CPU time of the whole client process tree, whatever it spawned.
 */
export function measure(command: string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const script = '"$@" >/dev/null 2>"$ERRFILE"; code=$?; cat /proc/$$/stat; exit $code';
  return new Promise((resolve, reject) => {
    const busyBefore = machineBusyTicks();
    const started = performance.now();
    const child = spawn("sh", ["-c", script, "sh", ...command], {
      env: { ...env, ERRFILE: "/dev/null" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      // Fields after the ")" of the command name: cutime and cstime are fields 16 and 17.
      const fields = out
        .slice(out.lastIndexOf(")") + 2)
        .trim()
        .split(/\s+/);
      const cpuTicks = Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
      const machineCpuMs = (machineBusyTicks() - busyBefore) * TICK_MS;
      resolve({ wallMs, cpuMs: cpuTicks * TICK_MS, machineCpuMs, code });
    });
  });
}

/** All CPUs' time in user, nice, system, irq, softirq and steal, in ticks (idle and iowait left out). */
function machineBusyTicks(): number {
  const line = readFileSync("/proc/stat", "latin1").split("\n", 1)[0] ?? "";
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
