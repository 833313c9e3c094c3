import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "./errors";
import { UPSTREAM_PORT, hostPaths, proxyPidFiles } from "./host-files";
import {
  LAB_MARKER,
  isHostProcess,
  isLabProcess,
  pidFromFile,
  isRunning,
  mountNamespaceOf,
  runCommand,
  tcpOpen,
  terminate,
  waitUntil,
  type CommandResult,
} from "./processes";
import type { HostState } from "./state";
import { sendRequests } from "./traffic";

export const UPSTREAM_SCRIPT = "upstream.js";

/** A clean environment for everything the lab starts, carrying the marker the lab kills by. */
export function labEnv(labDir: string, host: string): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C",
    HOME: "/root",
    [LAB_MARKER]: labDir,
    INCIDENT_LAB_HOST: host,
  };
}

/** Starts a detached process with stdout and stderr appended to logFile; returns its pid. */
function spawnLogged(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): { pid: number; exitCode: () => number | null } {
  const log = openSync(logFile, "a");
  try {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", log, log], env });
    let exitCode: number | null = null;
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
    });
    child.on("error", () => {
      exitCode = 127;
    });
    child.unref();
    if (child.pid === undefined) throw new LabError("start-failed", `could not start ${command}`);
    return { pid: child.pid, exitCode: () => exitCode };
  } finally {
    closeSync(log);
  }
}

export function startUpstream(labDir: string, host: HostState): number {
  const paths = hostPaths(labDir, host.name);
  const args = [
    join(labDir, UPSTREAM_SCRIPT),
    host.address,
    String(UPSTREAM_PORT),
    paths.upstreamBehaviour,
    host.name,
  ];
  const { pid } = spawnLogged(process.execPath, args, labEnv(labDir, host.name), paths.upstreamLog);
  writeFileSync(paths.upstreamPidFile, `${pid}\n`);
  return pid;
}

/** Stops the host's upstream and forgets its pid; resolves once its port is closed. */
export async function stopUpstream(labDir: string, host: HostState): Promise<void> {
  if (isLabProcess(host.upstreamPid, labDir)) await terminate([host.upstreamPid]);
  host.upstreamPid = null;
  await waitUntil(async () => !(await tcpOpen(host.address, UPSTREAM_PORT)), {
    timeoutMs: 5000,
    what: `${host.name}'s upstream to stop listening`,
  });
}

export interface StartedHost {
  pid: number;
  exitCode: () => number | null;
}

/** The host's init script as the first process of a new mount namespace. */
export function startHost(labDir: string, host: HostState): StartedHost {
  const paths = hostPaths(labDir, host.name);
  return spawnLogged(
    "unshare",
    ["--mount", "--propagation", "private", "/bin/sh", paths.initScript],
    labEnv(labDir, host.name),
    paths.initLog,
  );
}

/** Waits for the namespace, sshd's port and a 200 through the proxy; explains any failure. */
export async function waitHostReady(
  labDir: string,
  host: HostState,
  started: StartedHost,
  timeoutMs: number,
): Promise<void> {
  const own = mountNamespaceOf(process.pid);
  const paths = hostPaths(labDir, host.name);
  const failIfExited = (): void => {
    const code = started.exitCode();
    if (code === null) return;
    throw new LabError(
      /^(unshare|mount): /m.test(tail(paths.initLog)) ? "namespace-failed" : "start-failed",
      `${host.name} did not start (init exited with ${code}); ${paths.initLog} says:\n${tail(paths.initLog)}`,
    );
  };
  const deadline = Date.now() + timeoutMs;
  const remaining = (): number => Math.max(1, deadline - Date.now());
  try {
    await waitUntil(
      () => {
        failIfExited();
        const namespace = mountNamespaceOf(started.pid);
        return namespace !== null && namespace !== own;
      },
      { timeoutMs: remaining(), what: `${host.name}'s mount namespace` },
    );
    await waitUntil(
      async () => {
        failIfExited();
        return tcpOpen(host.address, 22);
      },
      { timeoutMs: remaining(), what: `${host.name}'s sshd on ${host.address}:22` },
    );
    // Probing through the proxy before the upstream listens would leave AH00957/AH01114 in a
    // fresh host's error log, and the diagnosis would rightly call the healthy host refused.
    await waitUntil(
      async () => {
        failIfExited();
        return tcpOpen(host.address, UPSTREAM_PORT);
      },
      {
        timeoutMs: remaining(),
        what: `${host.name}'s upstream on ${host.address}:${UPSTREAM_PORT}`,
      },
    );
    await waitUntil(
      async () => {
        failIfExited();
        const [status] = await sendRequests(host.address, 1, "/api/", { timeoutMs: 2000 });
        return status === 200;
      },
      { timeoutMs: remaining(), what: `a 200 through ${host.name}'s proxy`, intervalMs: 100 },
    );
  } catch (error) {
    if (!(error instanceof LabError) || error.code !== "timeout") throw error;
    throw new LabError(
      "start-timeout",
      `${error.message}\n${paths.initLog}:\n${tail(paths.initLog)}\n` +
        `${paths.errorLog}:\n${tail(paths.errorLog)}\n${paths.upstreamLog}:\n${tail(paths.upstreamLog)}`,
    );
  }
}

export function apachePid(labDir: string, host: string): number | null {
  return pidFromFile(hostPaths(labDir, host).apachePidFile);
}

/** A running process of the lab inside the host's namespace: sshd, or else the proxy's master. */
export function namespaceAnchor(labDir: string, host: HostState): number | null {
  if (isLabProcess(host.sshdPid, labDir)) return host.sshdPid;
  for (const file of proxyPidFiles(hostPaths(labDir, host.name))) {
    const pid = pidFromFile(file);
    if (isHostProcess(pid, labDir, host)) return pid;
  }
  return null;
}

/** Runs a command inside the host, as an operator's SSH session would see it. */
export async function execInHost(
  labDir: string,
  host: HostState,
  command: readonly string[],
  timeoutMs = 30_000,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  const anchor = namespaceAnchor(labDir, host);
  if (anchor === null) {
    throw new LabError("lab-down", `${host.name} has no running process to enter (is the lab up?)`);
  }
  return runCommand("nsenter", [`--mount=/proc/${anchor}/ns/mnt`, "--", ...command], {
    env: { ...labEnv(labDir, host.name), ...extraEnv },
    timeoutMs,
  });
}

/** `apache2ctl graceful` inside the host, then waits until Apache says it runs the new config. */
export async function gracefulRestart(labDir: string, host: HostState): Promise<void> {
  const errorLog = hostPaths(labDir, host.name).errorLog;
  const offset = sizeOf(errorLog);
  const result = await execInHost(labDir, host, ["apache2ctl", "graceful"]);
  if (result.code !== 0) {
    throw new LabError(
      "command-failed",
      `apache2ctl graceful on ${host.name} failed (${result.code}): ${result.stdout}${result.stderr}`,
    );
  }
  await waitUntil(() => readFrom(errorLog, offset).includes("resuming normal operations"), {
    timeoutMs: 15_000,
    what: `${host.name}'s Apache to finish its graceful restart`,
  });
}

/**
 * `apache2ctl stop` and `apache2ctl start`: a new Apache parent process, as after `systemctl
 * restart apache2`. Needed where Apache reports something only once per parent (AH00484).
 */
export async function stopStartApache(labDir: string, host: HostState): Promise<void> {
  const errorLog = hostPaths(labDir, host.name).errorLog;
  const old = apachePid(labDir, host.name);
  const stop = await execInHost(labDir, host, ["apache2ctl", "stop"]);
  if (stop.code !== 0) {
    throw new LabError(
      "command-failed",
      `apache2ctl stop on ${host.name}: ${stop.stdout}${stop.stderr}`,
    );
  }
  await waitUntil(() => !isRunning(old), {
    timeoutMs: 15_000,
    what: `${host.name}'s Apache (pid ${old}) to stop`,
  });
  const offset = sizeOf(errorLog);
  const start = await execInHost(labDir, host, ["apache2ctl", "start"], 30_000, {
    APACHE_STARTED_BY_SYSTEMD: "incident-lab",
  });
  if (start.code !== 0) {
    throw new LabError(
      "command-failed",
      `apache2ctl start on ${host.name}: ${start.stdout}${start.stderr}`,
    );
  }
  await waitUntil(() => readFrom(errorLog, offset).includes("resuming normal operations"), {
    timeoutMs: 15_000,
    what: `${host.name}'s Apache to start`,
  });
}

export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What was appended to a log since offset. */
export function readFrom(path: string, offset: number): string {
  try {
    return readFileSync(path).subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(missing)";
  }
}
