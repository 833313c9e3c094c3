import { execFile } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { connect } from "node:net";
import { LabError } from "./errors";

/** Only the processes the lab started carry this variable; the lab kills nothing without it. */
export const LAB_MARKER = "INCIDENT_LAB_DIR";

export function markerEntry(labDir: string): string {
  return `${LAB_MARKER}=${labDir}`;
}

/** Alive and not a zombie (PID 1 on some machines reaps orphans lazily). */
export function isRunning(pid: number | null | undefined): pid is number {
  if (!pid || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * True when the process is running and was started by the lab living in labDir: its environment
 * carries the marker, or (sshd, whose process title overwrites its environment) its command line
 * names a file of the lab. Either way a recycled pid is never mistaken for ours.
 */
export function isLabProcess(pid: number | null | undefined, labDir: string): pid is number {
  if (!isRunning(pid)) return false;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    if (environ.includes(markerEntry(labDir))) return true;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    return cmdline.includes(`${labDir}/`);
  } catch {
    return false;
  }
}

/**
 * A lab process (isLabProcess), or a running process inside the host's recorded mount namespace:
 * nginx's master overwrites its environment with its process title, and HAProxy's workers and
 * sessions may outlive the processes the lab started, but none leaves the namespace.
 */
export function isHostProcess(
  pid: number | null | undefined,
  labDir: string,
  host: { name: string; namespace: string | null },
): pid is number {
  if (isLabProcess(pid, labDir)) return true;
  if (host.namespace === null || !isRunning(pid) || mountNamespaceOf(pid) !== host.namespace) {
    return false;
  }
  // A namespace number is reused once its namespace is gone: insist on the host's own /etc/hosts.
  return hasHostMounts(pid, host.name);
}

/** The process sees /etc/hosts bind-mounted from a lab host's etc-hosts file. */
export function hasHostMounts(pid: number, hostName: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, "utf8")
      .split("\n")
      .some((line) => {
        const fields = line.split(" ");
        return (
          fields[4] === "/etc/hosts" && (fields[3] ?? "").endsWith(`/hosts/${hostName}/etc-hosts`)
        );
      });
  } catch {
    return false;
  }
}

export function mountNamespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** Every running process inside one of the given mount namespaces (never our own). */
export function processesInMountNamespaces(namespaces: ReadonlySet<string>): number[] {
  const own = mountNamespaceOf(process.pid);
  const found: number[] = [];
  if (namespaces.size === 0) return found;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const namespace = mountNamespaceOf(pid);
    if (namespace !== null && namespace !== own && namespaces.has(namespace) && isRunning(pid)) {
      found.push(pid);
    }
  }
  return found;
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // ESRCH: it ended between our check and the signal, which is what we wanted anyway.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGTERM, a grace period, then SIGKILL for whatever is still running. */
export async function terminate(pids: readonly number[], graceMs = 3000): Promise<void> {
  const targets = [...new Set(pids)].filter((pid) => isRunning(pid));
  for (const pid of targets) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && targets.some((pid) => isRunning(pid))) await sleep(25);
  for (const pid of targets.filter((p) => isRunning(p))) signal(pid, "SIGKILL");
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && targets.some((pid) => isRunning(pid))) await sleep(25);
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  what: string;
}

/** Polls check until it returns true; throws with `what` in the message when time runs out. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) {
      throw new LabError(
        "timeout",
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}

export function tcpOpen(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a program without a shell and resolves with its exit code and output (never rejects on exit). */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`${file} ${args.join(" ")}: ${error.message}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The pid a pid file names, or null when it is missing or holds no pid. */
export function pidFromFile(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The parent pid and process group of a running process, from /proc/PID/stat. */
function statOf(pid: number): { ppid: number; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function runningPids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => isRunning(pid));
}

/** The running children of pid (a proxy master's workers). */
export function childrenOf(pid: number): number[] {
  return runningPids().filter((candidate) => statOf(candidate)?.ppid === pid);
}

/** Every running process in one of the given process groups (a daemonised master and its workers). */
export function processesInGroups(groups: ReadonlySet<number>): number[] {
  if (groups.size === 0) return [];
  return runningPids().filter((pid) => groups.has(statOf(pid)?.pgrp ?? -1));
}

export function processGroupOf(pid: number): number | null {
  return statOf(pid)?.pgrp ?? null;
}

/**
 * Every running process whose environment carries this lab's marker. nginx's workers drop their
 * environment and sshd's sessions never had it; those are found by mount namespace instead.
 */
export function processesWithMarker(labDir: string): number[] {
  const marker = markerEntry(labDir);
  return runningPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker);
    } catch {
      return false;
    }
  });
}
