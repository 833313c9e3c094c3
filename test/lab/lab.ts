import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  MAX_HOSTS_PER_BLOCK,
  addressOf,
  allocateBlock,
  updateBlockOwner,
  type BlockOwner,
} from "./blocks";
import { LabError } from "./errors";
import { UPSTREAM_PORT, hostPaths, upstreamName } from "./host-files";
import { assertModeSupported, hostKind, writeKindScripts } from "./host-kinds";
import { injectUpstreamFault } from "./upstream-behaviour";
import {
  UPSTREAM_SCRIPT,
  execInHost,
  startHost,
  startUpstream,
  waitHostReady,
} from "./host-runtime";
import { inventoryYaml } from "./inventory";
import { systemctlStandIn } from "./systemctl-stand-in";
import { generateKey, knownHostsFile } from "./keys";
import { PROXY_KINDS, isLabMode, type LabMode, type ProxyKind } from "./modes";
import { preflight } from "./preflight";
import { isLabProcess, mountNamespaceOf, type CommandResult } from "./processes";
import { readState, writeState, type HostState, type LabState } from "./state";
import { isLabAlive, killLabSync, stopLab } from "./teardown";
import { sendRequests, type HitOptions } from "./traffic";
import { UPSTREAM_SERVER_SOURCE } from "./upstream-server";

export {
  BREAK_MODES,
  KIND_MODES,
  KIND_MODE_SIGNATURES,
  LAB_MODES,
  MODE_SIGNATURES,
  PROXY_KINDS,
  isBreakMode,
  isLabMode,
  isProxyKind,
} from "./modes";
export type { BreakMode, ExpectedCause, LabMode, ModeSignature, ProxyKind } from "./modes";
export { LabError, type LabErrorCode } from "./errors";
export { NO_RESPONSE, type HitOptions } from "./traffic";
export type { CommandResult } from "./processes";

/** A file at the root of every lab dir: a dir holding it is the lab's to wipe and reuse. */
const LAB_DIR_MARKER = ".incident-lab";

export interface UpOptions {
  /**
   * Where the lab keeps its files: an empty or missing dir, or an old lab's (default: a fresh dir
   * under /dev/shm/incident-lab/labs, or os.tmpdir()/incident-lab/labs without a roomy tmpfs).
   */
  dir?: string;
  /** The lab outlives this process (the CLI); default false: it is killed when this process exits. */
  detached?: boolean;
  /** How long all hosts may take to answer 200 (default 30 s plus 1 s per host). */
  startTimeoutMs?: number;
  /**
   * The hosts' proxy kinds, dealt round-robin: proxy-1 gets the first, proxy-2 the second, …
   * (default ["apache"]; PROXY_KINDS gives a mixed fleet).
   */
  kinds?: readonly ProxyKind[];
}

export interface DownOptions {
  /** Keep the lab dir (configs, logs) for a post-mortem; default false. */
  keepDir?: boolean;
}

export interface LabHost {
  readonly name: string;
  readonly address: string;
  readonly kind: ProxyKind;
  /** The host's directory here; inside the host it is /etc/apache2 (/etc/nginx, …), /var/log/… */
  readonly dir: string;
  /**
   * This machine's path of the proxy's error log: /var/log/apache2/error.log,
   * /var/log/nginx/error.log, or HAProxy's /var/log/haproxy.log (which is also its access log).
   */
  readonly errorLog: string;
  readonly accessLog: string;
  /** http://ADDRESS/api/: through the proxy to the upstream. */
  readonly proxyUrl: string;
  /** The upstream as the host's Apache names it (resolves only inside the host). */
  readonly upstreamUrl: string;
  /** The lab's stand-in for systemctl on this host (supervises its upstream; not systemd). */
  readonly systemctl: string;
}

export interface HostStatus {
  readonly name: string;
  readonly address: string;
  readonly kind: ProxyKind;
  readonly sshd: boolean;
  /** The host's proxy master (Apache, nginx or HAProxy) runs. */
  readonly proxy: boolean;
  /** Apache hosts: the same as proxy; false on hosts of other kinds. */
  readonly apache: boolean;
  readonly upstream: boolean;
  readonly broken: LabMode | null;
}

/**
 * Starts n proxy hosts, proxy-1 … proxy-n, each with sshd, its proxy (Apache, nginx or HAProxy)
 * and an upstream on its own loopback address and in its own mount namespace. Resolves once every
 * host answers 200.
 */
export async function up(n: number, options: UpOptions = {}): Promise<Lab> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS_PER_BLOCK) {
    throw new RangeError(`a lab has 1 to ${MAX_HOSTS_PER_BLOCK} hosts, not ${n}`);
  }
  const kinds = options.kinds ?? ["apache"];
  if (kinds.length === 0 || kinds.some((kind) => !PROXY_KINDS.includes(kind))) {
    throw new RangeError(
      `kinds must name some of ${PROXY_KINDS.join(", ")}, not ${kinds.join(",")}`,
    );
  }
  await preflight(kinds);
  const dir = prepareDir(options.dir);
  const block = allocateBlock({ dir, ownerPid: process.pid }, isLabAlive, reapStaleLab);
  const state: LabState = {
    version: 1,
    dir,
    block,
    ownerPid: process.pid,
    startedAt: new Date().toISOString(),
    hosts: Array.from({ length: n }, (_, i) => ({
      name: `proxy-${i + 1}`,
      address: addressOf(block, i + 1),
      kind: kinds[i % kinds.length] ?? "apache",
      sshdPid: null,
      upstreamPid: null,
      namespace: null,
      broken: null,
    })),
  };
  bindToThisProcess(state);
  try {
    await writeLabFiles(state);
    writeState(state);
    const started = state.hosts.map((host) => {
      host.upstreamPid = startUpstream(dir, host);
      const init = startHost(dir, host);
      host.sshdPid = init.pid;
      return init;
    });
    writeState(state);
    const timeoutMs = options.startTimeoutMs ?? 30_000 + 1000 * n;
    await Promise.all(
      state.hosts.map((host, i) => {
        const init = started[i];
        return init ? waitHostReady(dir, host, init, timeoutMs) : Promise.resolve();
      }),
    );
    for (const [i, host] of state.hosts.entries()) {
      const init = started[i];
      host.namespace = init ? mountNamespaceOf(init.pid) : null;
    }
  } catch (error) {
    boundLabs.delete(state);
    await stopLab(state, options.dir !== undefined);
    throw error;
  }
  if (options.detached) {
    boundLabs.delete(state);
    state.ownerPid = null;
    updateBlockOwner(block, { dir, ownerPid: null });
  }
  writeState(state);
  return new Lab(state);
}

/** The lab whose state file is in dir (started by another process, e.g. `npm run lab -- up`). */
export function attach(dir: string): Lab {
  const state = readState(resolve(dir));
  if (state === null) throw new LabError("lab-down", `no lab is up in ${resolve(dir)}`);
  return new Lab(state);
}

export class Lab {
  private readonly load = new Map<string, AbortController>();
  private readonly traffic = new AbortController();
  private isDown = false;

  constructor(private readonly state: LabState) {}

  get dir(): string {
    return this.state.dir;
  }

  /** 127.0.BLOCK.1 … are this lab's addresses. */
  get block(): number {
    return this.state.block;
  }

  get inventoryPath(): string {
    return join(this.dir, "inventory.yml");
  }

  get privateKeyPath(): string {
    return join(this.dir, "client", "id_ed25519");
  }

  get knownHostsPath(): string {
    return join(this.dir, "client", "known_hosts");
  }

  get hosts(): LabHost[] {
    return this.state.hosts.map((host) => this.describe(host));
  }

  host(name: string): LabHost {
    return this.describe(this.hostState(name));
  }

  /** Injects a failure into one host; a host that is already broken is restored first. */
  async break(name: string, mode: LabMode): Promise<void> {
    const host = this.hostState(name);
    if (!isLabMode(mode)) throw new LabError("unknown-mode", `unknown break mode "${mode}"`);
    assertModeSupported(host.kind, mode);
    if (host.broken !== null) await this.repair(host);
    const load = new AbortController();
    this.load.set(name, load);
    host.broken = mode;
    writeState(this.state);
    const signal = AbortSignal.any([load.signal, this.traffic.signal]);
    if (!(await injectUpstreamFault(this.dir, host, mode))) {
      await hostKind(host.kind).inject(this.dir, host, mode, signal);
    }
    writeState(this.state);
  }

  /** Restores the healthy config, /etc/hosts and upstream, reloads, and waits for a 200. */
  async fix(name: string): Promise<void> {
    await this.repair(this.hostState(name));
  }

  /** n requests through the host's proxy; each status, or NO_RESPONSE (0) when none came. */
  async hit(name: string, n: number, path = "/api/", options: HitOptions = {}): Promise<number[]> {
    const host = this.hostState(name);
    const signals = [this.traffic.signal, ...(options.signal ? [options.signal] : [])];
    return sendRequests(host.address, n, path, { ...options, signal: AbortSignal.any(signals) });
  }

  /** Runs a command inside the host (its mount namespace), as an SSH session there would. */
  async exec(name: string, command: readonly string[], timeoutMs?: number): Promise<CommandResult> {
    return execInHost(this.dir, this.hostState(name), command, timeoutMs);
  }

  status(): HostStatus[] {
    return this.state.hosts.map((host) => {
      const proxy = hostKind(host.kind).proxyPid(this.dir, host) !== null;
      return {
        name: host.name,
        address: host.address,
        kind: host.kind,
        sshd: isLabProcess(host.sshdPid, this.dir),
        proxy,
        apache: host.kind === "apache" && proxy,
        upstream: isLabProcess(host.upstreamPid, this.dir),
        broken: host.broken,
      };
    });
  }

  /** A command line a person can paste to log in to the host with the lab's key. */
  sshCommand(name: string, command?: string): string {
    const host = this.hostState(name);
    const remote = command ?? hostKind(host.kind).firstLook;
    return (
      `ssh -i ${this.privateKeyPath} -o UserKnownHostsFile=${this.knownHostsPath} ` +
      `-o StrictHostKeyChecking=yes root@${host.address} ${remote}`
    );
  }

  /** Stops this process's background traffic (worker-exhaustion); the lab itself keeps running. */
  close(): void {
    for (const load of this.load.values()) load.abort();
    this.load.clear();
  }

  /** Stops everything the lab started, by pid; idempotent; removes the dir unless keepDir. */
  async down(options: DownOptions = {}): Promise<void> {
    if (this.isDown) return;
    this.isDown = true;
    this.close();
    this.traffic.abort();
    boundLabs.delete(this.state);
    await stopLab(this.state, options.keepDir ?? false);
  }

  private async repair(host: HostState): Promise<void> {
    this.load.get(host.name)?.abort();
    this.load.delete(host.name);
    const previous = host.broken;
    try {
      await hostKind(host.kind).restore(this.dir, host, previous);
      host.broken = null;
    } finally {
      writeState(this.state);
    }
  }

  private hostState(name: string): HostState {
    if (this.isDown) throw new LabError("lab-down", `the lab in ${this.dir} is down`);
    const host = this.state.hosts.find((candidate) => candidate.name === name);
    if (!host) {
      const names = this.state.hosts.map((candidate) => candidate.name).join(", ");
      throw new LabError("unknown-host", `no host "${name}" in the lab (hosts: ${names})`);
    }
    return host;
  }

  private describe(host: HostState): LabHost {
    const paths = hostPaths(this.dir, host.name);
    const logs = hostKind(host.kind).logs(paths);
    return {
      name: host.name,
      address: host.address,
      kind: host.kind,
      dir: paths.root,
      errorLog: logs.errorLog,
      accessLog: logs.accessLog,
      proxyUrl: `http://${host.address}/api/`,
      upstreamUrl: `http://${upstreamName(host.name)}:${UPSTREAM_PORT}/`,
      systemctl: paths.systemctlStandIn,
    };
  }
}

/** A fresh temporary dir, or the given one if it is empty or an old lab's (never someone's files). */
function prepareDir(given: string | undefined): string {
  let dir: string;
  if (given === undefined) {
    const root = join(labsParent(), "incident-lab", "labs");
    mkdirSync(root, { recursive: true });
    dir = mkdtempSync(join(root, "lab-"));
  } else {
    dir = resolve(given);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      if (!existsSync(join(dir, LAB_DIR_MARKER))) {
        throw new LabError("lab-exists", `${dir} is not empty and is not a lab dir; pick another`);
      }
      if (isLabAlive(dir)) {
        throw new LabError("lab-exists", `a lab is already up in ${dir}; take it down first`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(dir, LAB_DIR_MARKER), "an incident lab lives here (test/lab)\n");
  return dir;
}

/**
 * tmpfs when it has room: a lab of 30 hosts holds ~7,000 small files, and deleting them from a disk
 * mounted with online discard took 6-10 s here; from tmpfs it takes milliseconds.
 */
function labsParent(): string {
  try {
    const shm = statfsSync("/dev/shm");
    if (shm.bavail * shm.bsize > 512 * 1024 * 1024) return "/dev/shm";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return tmpdir();
}

async function writeLabFiles(state: LabState): Promise<void> {
  const clientDir = join(state.dir, "client");
  mkdirSync(clientDir, { recursive: true, mode: 0o700 });
  const authorizedKeys = join(clientDir, "authorized_keys");
  for (const host of state.hosts) {
    hostKind(host.kind).writeFiles(
      host,
      hostPaths(state.dir, host.name),
      state.dir,
      authorizedKeys,
    );
  }
  const [clientKey, ...hostKeys] = await Promise.all([
    generateKey(join(clientDir, "id_ed25519"), "incident-lab client"),
    ...state.hosts.map((host) =>
      generateKey(hostPaths(state.dir, host.name).hostKey, `${host.name} host key`),
    ),
  ]);
  writeFileSync(authorizedKeys, `${clientKey} incident-lab client\n`, { mode: 0o600 });
  const known = state.hosts.map((host, i) => ({
    address: host.address,
    publicKey: hostKeys[i] ?? "",
  }));
  writeFileSync(join(clientDir, "known_hosts"), knownHostsFile(known));
  writeFileSync(
    join(state.dir, "inventory.yml"),
    inventoryYaml({
      privateKeyPath: join(clientDir, "id_ed25519"),
      knownHostsPath: join(clientDir, "known_hosts"),
      hosts: state.hosts,
    }),
  );
  writeFileSync(join(state.dir, UPSTREAM_SCRIPT), UPSTREAM_SERVER_SOURCE);
  for (const host of state.hosts) {
    const paths = hostPaths(state.dir, host.name);
    const standIn = systemctlStandIn({
      nodePath: process.execPath,
      upstreamScript: join(state.dir, UPSTREAM_SCRIPT),
      address: host.address,
      port: UPSTREAM_PORT,
      behaviourFile: paths.upstreamBehaviour,
      hostName: host.name,
      upstreamLog: paths.upstreamLog,
      pidFile: paths.upstreamPidFile,
    });
    writeFileSync(paths.systemctlStandIn, standIn, { mode: 0o755 });
  }
  writeKindScripts(state.dir);
}

/** Labs that die with this process: killed on exit if nobody called down(). */
const boundLabs = new Set<LabState>();
let exitHookInstalled = false;

function bindToThisProcess(state: LabState): void {
  boundLabs.add(state);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killBoundLabs);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killBoundLabs();
      // Die of the signal as we would have without this handler, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function killBoundLabs(): void {
  for (const lab of boundLabs) {
    try {
      killLabSync(lab);
    } catch (error) {
      console.error(`incident lab: could not clean up ${lab.dir}: ${String(error)}`);
    }
  }
  boundLabs.clear();
}

/**
 * A block whose owner died: stop whatever of its lab still runs and remove its dir; but only if
 * the dir still holds the lab of that block (a new lab may have reused the dir since).
 */
function reapStaleLab(owner: BlockOwner, block: number): void {
  try {
    const state = readState(owner.dir);
    if (state !== null && state.block === block) killLabSync(state);
  } catch (error) {
    console.error(`incident lab: could not reap the stale lab in ${owner.dir}: ${String(error)}`);
  }
}
