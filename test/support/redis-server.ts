import { spawn, type ChildProcess } from "node:child_process";
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

export interface PrivateRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const DIR_PREFIX = "incident-bot-redis-";

/**
 * Starts a throw-away redis-server on a free loopback port, with no persistence and a directory of
 * its own, so tests never touch the machine's Redis on 6379.
 */
export async function startPrivateRedis(onPort?: number): Promise<PrivateRedis> {
  // A given port brings a stopped server "back" where its clients reconnect.
  const port = onPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    { stdio: "ignore", detached: true },
  );
  child.unref();
  await waitForPing(port, child);
  const pid = child.pid ?? 0;
  const owner: Owner = { ownerPid: process.pid, redisPid: pid };
  writeFileSync(join(dir, "owner.json"), JSON.stringify(owner));
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    stop: async () => {
      await stopProcess(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Owner {
  ownerPid: number;
  redisPid: number;
}

/**
 * Stops the private Redis servers of earlier runs whose owner is gone: a jest killed outright
 * never runs its global teardown, and the detached server would live on. A server is known by
 * its working directory (redis-server changes into --dir), so a recycled pid is never killed.
 * Returns the pids it stopped.
 */
export async function sweepOrphanedRedis(): Promise<number[]> {
  const stopped: number[] = [];
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = readOwner(dir);
    if (!owner || isAlive(owner.ownerPid)) continue;
    if (workingDirectory(owner.redisPid) === realpathSync(dir)) {
      await stopProcess(owner.redisPid);
      stopped.push(owner.redisPid);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return stopped;
}

function readOwner(dir: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as Partial<Owner>;
    const valid = Number.isInteger(owner.ownerPid) && Number.isInteger(owner.redisPid);
    return valid ? { ownerPid: owner.ownerPid ?? 0, redisPid: owner.redisPid ?? 0 } : null;
  } catch {
    return null;
  }
}

function workingDirectory(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!pid || !isAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 25));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
