import { rmSync } from "node:fs";
import { releaseBlock } from "./blocks";
import { apachePid } from "./host-runtime";
import {
  isLabProcess,
  mountNamespaceOf,
  processesInMountNamespaces,
  signal,
  terminate,
} from "./processes";
import { readState, statePath, type LabState } from "./state";

/**
 * Every process of the lab, by pid: the ones it recorded (checked by their environment marker, so a
 * reused pid is never hit) and everything inside the hosts' mount namespaces, which is where an
 * operator's SSH session, or an Apache restarted by hand, lives.
 */
export function labProcesses(state: LabState): number[] {
  const own = mountNamespaceOf(process.pid);
  const pids = new Set<number>();
  const namespaces = new Set<string>();
  for (const host of state.hosts) {
    if (isLabProcess(host.upstreamPid, state.dir)) pids.add(host.upstreamPid);
    for (const pid of [host.sshdPid, apachePid(state.dir, host.name)]) {
      if (!isLabProcess(pid, state.dir)) continue;
      pids.add(pid);
      const namespace = mountNamespaceOf(pid);
      if (namespace !== null && namespace !== own) namespaces.add(namespace);
    }
  }
  for (const pid of processesInMountNamespaces(namespaces)) pids.add(pid);
  pids.delete(process.pid);
  return [...pids];
}

/** Whether the lab in dir runs (and, given a block, whether it is the lab holding that block). */
export function isLabAlive(dir: string, block?: number): boolean {
  try {
    const state = readState(dir);
    if (state === null || (block !== undefined && state.block !== block)) return false;
    return labProcesses(state).length > 0;
  } catch {
    return false;
  }
}

/** Stops every process (SIGTERM, then SIGKILL), removes the dir unless kept, frees the block. */
export async function stopLab(state: LabState, keepDir: boolean): Promise<void> {
  // Twice: a process started while the first round ran (a session, a respawn) is caught by the second.
  await terminate(labProcesses(state));
  await terminate(labProcesses(state), 1000);
  forget(state, keepDir);
}

/** For process exit and for reaping a dead owner's lab: no waiting, SIGKILL at once. */
export function killLabSync(state: LabState, keepDir = false): void {
  for (const pid of labProcesses(state)) signal(pid, "SIGKILL");
  forget(state, keepDir);
}

function forget(state: LabState, keepDir: boolean): void {
  if (!keepDir) rmSync(state.dir, { recursive: true, force: true });
  else rmSync(statePath(state.dir), { force: true });
  releaseBlock(state.block, state.dir);
}
