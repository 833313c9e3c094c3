import { rmSync } from "node:fs";
import { releaseBlock } from "./blocks";
import { hostPaths, proxyPidFiles } from "./host-files";
import {
  hasHostMounts,
  isHostProcess,
  mountNamespaceOf,
  pidFromFile,
  processGroupOf,
  processesInGroups,
  processesInMountNamespaces,
  processesWithMarker,
  signal,
  terminate,
} from "./processes";
import { readState, statePath, type LabState } from "./state";

/**
 * Every process of the lab, by pid: the ones it recorded and the proxy masters of the pid files
 * (each checked by its environment marker, so a reused pid is never hit), every process carrying
 * the marker (an nginx or HAProxy master whose pid file is gone), everything inside the hosts'
 * mount namespaces (an operator's SSH session, a proxy restarted by hand, nginx's workers, which
 * drop their environment) and every process in the process group of a proxy master (its workers,
 * even when they outlived the namespace's other processes).
 */
export function labProcesses(state: LabState): number[] {
  const own = mountNamespaceOf(process.pid);
  const pids = new Set<number>(processesWithMarker(state.dir));
  const namespaces = new Set<string>();
  for (const host of state.hosts) {
    const masters = proxyPidFiles(hostPaths(state.dir, host.name)).map(pidFromFile);
    for (const pid of [host.upstreamPid, host.sshdPid, ...masters]) {
      if (isHostProcess(pid, state.dir, host)) pids.add(pid);
    }
  }
  const groups = new Set<number>();
  for (const pid of pids) {
    const namespace = mountNamespaceOf(pid);
    if (namespace !== null && namespace !== own) {
      namespaces.add(namespace);
      // Inside a host the group leaders are its daemons, never this process's own group.
      const group = processGroupOf(pid);
      if (group !== null && group > 1) groups.add(group);
    }
  }
  for (const pid of processesInRecordedNamespaces(state)) pids.add(pid);
  for (const pid of processesInMountNamespaces(namespaces)) pids.add(pid);
  for (const pid of processesInGroups(groups)) {
    const namespace = mountNamespaceOf(pid);
    if (namespace !== null && namespaces.has(namespace)) pids.add(pid);
  }
  pids.delete(process.pid);
  return [...pids];
}

/**
 * Processes left in a host's recorded namespace when every process the lab knows by pid is gone
 * (an nginx master and its workers, which carry no marker): checked for the host's mounts.
 */
function processesInRecordedNamespaces(state: LabState): number[] {
  const found: number[] = [];
  for (const host of state.hosts) {
    if (host.namespace === null) continue;
    for (const pid of processesInMountNamespaces(new Set([host.namespace]))) {
      if (hasHostMounts(pid, host.name)) found.push(pid);
    }
  }
  return found;
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
