import { cpSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { LabError } from "./errors";
import {
  PROXY_TIMEOUT_SECONDS,
  UPSTREAM_PORT,
  etcHosts,
  hostPaths,
  upstreamName,
  type HostIdentity,
  type HostPaths,
} from "./host-files";
import { execInHost, readFrom, sizeOf, startUpstream, stopUpstream } from "./host-runtime";
import type { LabMode } from "./modes";
import { isHostProcess, isLabProcess, pidFromFile, signal, tcpOpen, waitUntil } from "./processes";
import type { HostState } from "./state";
import { SYSLOG_PORT, SYSLOG_SCRIPT } from "./syslog-receiver";
import { sendRequests } from "./traffic";
import { setUpstreamBehaviour } from "./upstream-behaviour";

/** Where the machine's HAProxy configuration is copied from (Debian's haproxy package). */
export const SYSTEM_HAPROXY_DIR = "/etc/haproxy";
/** The exhausted server's connection limit; more clients wait in the queue for `timeout queue`. */
const HAPROXY_EXHAUSTED_MAXCONN = 2;

export type HaproxyVariant =
  "healthy" | "backend-tls" | "config-syntax" | "upstream-unhealthy" | "worker-exhaustion";

/** The master in the background, as the host's init starts it and as `fix` starts it again. */
const HAPROXY_START =
  "haproxy -W -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -S /run/haproxy-master.sock " +
  "</dev/null >>/var/log/haproxy-master.log 2>&1 &";

/**
 * Debian's haproxy.cfg with the lab's frontend and backend. Two changes to Debian's global section,
 * both for the namespace: logs go to the host's syslog receiver over UDP (Debian's rsyslog listens
 * on /var/lib/haproxy/dev/log instead), and `daemon` is left out because the lab keeps the master
 * in the foreground of its init, as Debian's systemd unit does with -Ws.
 */
export function haproxyConfig(host: HostIdentity, variant: HaproxyVariant = "healthy"): string {
  const server = [`server upstream ${upstreamName(host.name)}:${UPSTREAM_PORT}`];
  if (variant === "backend-tls") server.push("ssl verify none");
  if (variant === "upstream-unhealthy") server.push("check inter 500ms fall 1 rise 1");
  if (variant === "worker-exhaustion") server.push(`maxconn ${HAPROXY_EXHAUSTED_MAXCONN}`);
  // A typo an operator makes while editing; haproxy -c rejects it, the running worker ignores it.
  const timeout = variant === "config-syntax" ? "timout" : "timeout";
  return `# ${host.name}: reverse proxy for /api/ (written by the incident lab; \`fix\` restores it)
global
	log ${host.address}:${SYSLOG_PORT} local0
	chroot /var/lib/haproxy
	stats socket /run/haproxy/admin.sock mode 660 level admin
	stats timeout 30s
	user haproxy
	group haproxy

	# Default SSL material locations
	ca-base /etc/ssl/certs
	crt-base /etc/ssl/private

defaults
	log	global
	mode	http
	option	httplog
	option	dontlognull
	timeout connect ${PROXY_TIMEOUT_SECONDS}s
	timeout client  50s
	timeout server  ${PROXY_TIMEOUT_SECONDS}s
	timeout queue   ${PROXY_TIMEOUT_SECONDS}s
	errorfile 400 /etc/haproxy/errors/400.http
	errorfile 403 /etc/haproxy/errors/403.http
	errorfile 408 /etc/haproxy/errors/408.http
	errorfile 500 /etc/haproxy/errors/500.http
	errorfile 502 /etc/haproxy/errors/502.http
	errorfile 503 /etc/haproxy/errors/503.http
	errorfile 504 /etc/haproxy/errors/504.http

frontend lab_proxy
	bind ${host.address}:80
	default_backend lab_upstream

backend lab_upstream
${variant === "upstream-unhealthy" ? "\toption httpchk GET /api/\n" : ""}	${timeout} server ${PROXY_TIMEOUT_SECONDS}s
	${server.join(" ")}
`;
}

function haproxyInitScript(host: HostIdentity, paths: HostPaths, labDir: string): string {
  return `#!/bin/sh
# ${host.name} of the incident lab (HAProxy), run as: unshare --mount --propagation private /bin/sh init.sh
set -eu
H='${paths.root}'
mount --bind "$H/haproxy" /etc/haproxy
mount --bind "$H/log" /var/log
mount --bind "$H/run" /run
mount --bind "$H/etc-hosts" /etc/hosts
mount --bind "$H/resolv.conf" /etc/resolv.conf
mount --bind "$H/home" /root
mkdir -p /run/sshd /run/haproxy
echo "mounts ready in $(readlink /proc/self/ns/mnt)"
# rsyslog's part: HAProxy's datagrams to /var/log/haproxy.log.
'${process.execPath}' '${join(labDir, SYSLOG_SCRIPT)}' ${host.address} ${SYSLOG_PORT} /var/log/haproxy.log ${host.name} </dev/null >>"$H/syslog.log" 2>&1 &
# Debian's unit: haproxy -Ws -f $CONFIG -p $PIDFILE -S /run/haproxy-master.sock; its stderr
# (journalctl -u haproxy there) goes to /var/log/haproxy-master.log here.
${HAPROXY_START}
exec /usr/sbin/sshd -D -f "$H/sshd/sshd_config" -E "$H/sshd/sshd.log"
`;
}

/** Lays out a HAProxy host: a copy of /etc/haproxy (with Debian's error pages) and the lab's config. */
export function writeHaproxyFiles(host: HostIdentity, paths: HostPaths, labDir: string): void {
  cpSync(SYSTEM_HAPROXY_DIR, paths.haproxyDir, { recursive: true, verbatimSymlinks: true });
  writeFileSync(paths.haproxyConfig, haproxyConfig(host));
  writeFileSync(paths.haproxyLog, "");
  writeFileSync(paths.haproxyMasterLog, "");
  writeFileSync(paths.initScript, haproxyInitScript(host, paths, labDir), { mode: 0o755 });
}

export function haproxyPid(labDir: string, host: HostState): number | null {
  const pid = pidFromFile(hostPaths(labDir, host.name).haproxyPidFile);
  return isHostProcess(pid, labDir, host) ? pid : null;
}

export interface HaproxyReloadOutcome {
  /** A new worker runs the new configuration; false: the master kept the old worker. */
  readonly applied: boolean;
  /** What the master wrote to its stderr meanwhile. */
  readonly masterLog: string;
}

/** The master's reload counters from `show proc` on the master socket, or null while it re-executes. */
async function masterReloads(socket: string): Promise<{ reloads: number } | null> {
  try {
    const answer = await haproxySocketCommand(socket, "show proc");
    const match = /\bmaster\s+(\d+) \[failed/.exec(answer);
    return match ? { reloads: Number(match[1]) } : null;
  } catch {
    return null;
  }
}

/**
 * SIGUSR2 to the master, as Debian's `systemctl reload haproxy` sends it (after its own `haproxy
 * -c`, which this skips so a broken file reaches the master). Resolves once the master's reload
 * counter moved: a master still re-executing from the last reload drops the signal, so it is sent
 * again until the counter moves.
 */
async function haproxyReload(labDir: string, host: HostState): Promise<HaproxyReloadOutcome> {
  const paths = hostPaths(labDir, host.name);
  const master = haproxyPid(labDir, host);
  if (master === null) throw new LabError("lab-down", `${host.name}'s HAProxy is not running`);
  let before = await masterReloads(paths.haproxyMasterSocket);
  await waitUntil(async () => (before = await masterReloads(paths.haproxyMasterSocket)) !== null, {
    timeoutMs: 15_000,
    what: `${host.name}'s HAProxy master socket`,
  });
  const start = before ?? { reloads: 0 };
  const offset = sizeOf(paths.haproxyMasterLog);
  let sentAt = 0;
  let outcome = "";
  await waitUntil(
    async () => {
      const log = readFrom(paths.haproxyMasterLog, offset);
      if (!log.includes("Reloading HAProxy") && Date.now() - sentAt > 2000) {
        signal(master, "SIGUSR2");
        sentAt = Date.now();
      }
      outcome = /Loading (success|failure)/.exec(log)?.[1] ?? "";
      const after = await masterReloads(paths.haproxyMasterSocket);
      return outcome !== "" && after !== null && after.reloads > start.reloads;
    },
    { timeoutMs: 20_000, intervalMs: 200, what: `${host.name}'s HAProxy to reload` },
  );
  const applied = outcome === "success";
  return { applied, masterLog: readFrom(paths.haproxyMasterLog, offset) };
}

async function mustReload(labDir: string, host: HostState): Promise<void> {
  const outcome = await haproxyReload(labDir, host);
  if (!outcome.applied) {
    throw new LabError(
      "command-failed",
      `${host.name}'s HAProxy kept its old configuration: ${outcome.masterLog}`,
    );
  }
}

/** One command on HAProxy's stats socket (`show stat`, `show info`), as socat would send it. */
export function haproxySocketCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error(`${socketPath}: no answer`)));
    // Half-closing tells the master CLI the session is over; the stats socket does not mind.
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  });
}

/** Breaks a HAProxy host; the modes mean what they mean for Apache (see modes.ts). */
export async function injectHaproxyFault(
  labDir: string,
  host: HostState,
  mode: LabMode,
  load: AbortSignal,
): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  switch (mode) {
    // The upstream-only modes are the lab's own (upstream-behaviour.ts injectUpstreamFault).
    case "dns-failure":
      // HAProxy resolves server names when it loads its configuration: the reload fails.
      writeFileSync(paths.etcHosts, etcHosts(host, false));
      await haproxyReload(labDir, host);
      return;
    case "backend-tls":
      writeFileSync(paths.haproxyConfig, haproxyConfig(host, "backend-tls"));
      return mustReload(labDir, host);
    case "config-syntax":
      writeFileSync(paths.haproxyConfig, haproxyConfig(host, "config-syntax"));
      await haproxyReload(labDir, host);
      return;
    case "worker-exhaustion":
      return exhaustServer(labDir, host, load);
    case "upstream-unhealthy": {
      writeFileSync(paths.haproxyConfig, haproxyConfig(host, "upstream-unhealthy"));
      await mustReload(labDir, host);
      // Only what the checks write from now on: an earlier break of this mode left its line.
      const offset = sizeOf(paths.haproxyLog);
      await stopUpstream(labDir, host);
      await waitUntil(
        () => readFrom(paths.haproxyLog, offset).includes("has no server available"),
        {
          timeoutMs: 15_000,
          intervalMs: 100,
          what: `${host.name}'s health checks to mark the server down`,
        },
      );
      return;
    }
  }
}

/** A server maxconn, a hanging upstream and more clients than it allows: the rest queue. */
async function exhaustServer(labDir: string, host: HostState, load: AbortSignal): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  writeFileSync(paths.haproxyConfig, haproxyConfig(host, "worker-exhaustion"));
  await mustReload(labDir, host);
  setUpstreamBehaviour(labDir, host.name, "hang");
  const clients = HAPROXY_EXHAUSTED_MAXCONN + 2;
  sendRequests(host.address, clients, "/api/", {
    concurrency: clients,
    timeoutMs: 60_000,
    signal: load,
  }).catch(() => undefined);
  const stats = paths.haproxyAdminSocket;
  await waitUntil(
    async () => /lab_upstream,BACKEND,[1-9]/.test(await haproxySocketCommand(stats, "show stat")),
    { timeoutMs: 30_000, intervalMs: 100, what: `requests queued on ${host.name}'s HAProxy` },
  );
}

/** Healthy config and upstream again; starts or reloads HAProxy; waits for a 200. */
export async function restoreHaproxyHost(labDir: string, host: HostState): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  writeFileSync(paths.haproxyConfig, haproxyConfig(host));
  writeFileSync(paths.etcHosts, etcHosts(host));
  setUpstreamBehaviour(labDir, host.name, "ok");
  if (!isLabProcess(host.upstreamPid, labDir)) {
    host.upstreamPid = startUpstream(labDir, host);
    await waitUntil(() => tcpOpen(host.address, UPSTREAM_PORT), {
      timeoutMs: 10_000,
      what: `${host.name}'s upstream to listen again`,
    });
  }
  if (haproxyPid(labDir, host) === null) {
    const started = await execInHost(labDir, host, ["sh", "-c", HAPROXY_START]);
    if (started.code !== 0) {
      throw new LabError("command-failed", `haproxy on ${host.name}: ${started.stderr}`);
    }
  } else {
    await mustReload(labDir, host);
  }
  await waitUntil(
    async () => (await sendRequests(host.address, 1, "/api/", { timeoutMs: 5000 }))[0] === 200,
    { timeoutMs: 30_000, intervalMs: 100, what: `a 200 through ${host.name}'s HAProxy again` },
  );
}
