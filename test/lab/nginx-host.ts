import {
  cpSync,
  lstatSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
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
import {
  childrenOf,
  isHostProcess,
  isLabProcess,
  pidFromFile,
  signal,
  tcpOpen,
  waitUntil,
} from "./processes";
import type { HostState } from "./state";
import { sendRequests } from "./traffic";
import { setUpstreamBehaviour } from "./upstream-behaviour";

/** Where the machine's nginx configuration is copied from (Debian's nginx package). */
export const SYSTEM_NGINX_DIR = "/etc/nginx";

/** One worker (2 cores, thirty hosts); Debian's 768 connections, and the exhausted limit. */
export const NGINX_HEALTHY_CONNECTIONS = 768;
/**
 * The listening socket and the master's channel take two; with a hanging upstream each client
 * holds two more. Five leaves three: one client with its upstream connection, and one accepted
 * with none left for its upstream, which is when nginx logs its alert. (With 8 nginx just stopped
 * accepting and logged nothing: the clients waited in the kernel's backlog.)
 */
export const NGINX_EXHAUSTED_CONNECTIONS = 5;

/**
 * Debian's combined format plus the upstream timings and addresses an operator adds to tell a slow
 * upstream from a slow client (nginx's own variables; `-` where no upstream was tried).
 */
export const NGINX_ACCESS_LOG_FORMAT =
  `'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ' ` +
  `'"$http_referer" "$http_user_agent" rt=$request_time uct=$upstream_connect_time ' ` +
  `'uht=$upstream_header_time urt=$upstream_response_time us=$upstream_status ua=$upstream_addr'`;

export type NginxSiteVariant =
  "healthy" | "backend-tls" | "config-syntax" | "upstream-unhealthy" | "max-conns" | "dns-resolver";

/** The proxy's server block, as an operator would write it; variants are the injected faults. */
export function nginxSite(host: HostIdentity, variant: NginxSiteVariant = "healthy"): string {
  const name = upstreamName(host.name);
  const scheme = variant === "backend-tls" ? "https" : "http";
  let upstreamBlock = "";
  let target = `${scheme}://${name}:${UPSTREAM_PORT}/`;
  let resolver = "";
  if (variant === "upstream-unhealthy") {
    // Two servers, because nginx never marks the only server of a group unavailable.
    upstreamBlock =
      `upstream lab_upstream {\n` +
      `    server ${name}:${UPSTREAM_PORT} max_fails=1 fail_timeout=30s;\n` +
      `    server ${host.address}:${UPSTREAM_PORT} max_fails=1 fail_timeout=30s;\n}\n\n`;
    target = "http://lab_upstream/";
  }
  if (variant === "max-conns") {
    upstreamBlock = `upstream lab_upstream {\n    server ${name}:${UPSTREAM_PORT} max_conns=2;\n}\n\n`;
    target = "http://lab_upstream/";
  }
  if (variant === "dns-resolver") {
    // A variable in proxy_pass makes nginx resolve per request through its own resolver.
    resolver = `        resolver 127.0.0.1 valid=1s;\n        resolver_timeout 2s;\n        set $lab_upstream ${name};\n`;
    target = `http://$lab_upstream:${UPSTREAM_PORT}`;
  }
  // A typo an operator makes while editing; nginx -t rejects it, the running nginx ignores it.
  const pass = variant === "config-syntax" ? "proxy_pas" : "proxy_pass";
  return `# ${host.name}: reverse proxy for /api/ (written by the incident lab; \`fix\` restores it)
log_format proxy_timed ${NGINX_ACCESS_LOG_FORMAT};

${upstreamBlock}server {
    listen ${host.address}:80;
    server_name ${host.name};
    access_log /var/log/nginx/access.log proxy_timed;

    location /api/ {
${resolver}        ${pass} ${target};
        proxy_connect_timeout ${PROXY_TIMEOUT_SECONDS}s;
        proxy_send_timeout ${PROXY_TIMEOUT_SECONDS}s;
        proxy_read_timeout ${PROXY_TIMEOUT_SECONDS}s;
    }

    location = /nginx_status {
        stub_status;
        allow 127.0.0.0/8;
        deny all;
    }
}
`;
}

/** Debian's nginx.conf with one worker process and the given connection limit per worker. */
export function nginxConf(workerConnections: number): string {
  const debian = readFileSync(join(SYSTEM_NGINX_DIR, "nginx.conf"), "utf8");
  return debian
    .replace(/^worker_processes\s+\S+;/m, "worker_processes 1;")
    .replace(/worker_connections\s+\d+;/, `worker_connections ${workerConnections};`);
}

function nginxInitScript(host: HostIdentity, paths: HostPaths): string {
  return `#!/bin/sh
# ${host.name} of the incident lab (nginx), run as: unshare --mount --propagation private /bin/sh init.sh
set -eu
H='${paths.root}'
mkdir -p /var/log/nginx
mount --bind "$H/nginx" /etc/nginx
mount --bind "$H/log" /var/log/nginx
mount --bind "$H/run" /run
mount --bind "$H/etc-hosts" /etc/hosts
mount --bind "$H/resolv.conf" /etc/resolv.conf
mount --bind "$H/home" /root
mkdir -p /run/sshd
echo "mounts ready in $(readlink /proc/self/ns/mnt)"
# Debian's nginx daemonises: the master writes /run/nginx.pid and forks its worker.
nginx
exec /usr/sbin/sshd -D -f "$H/sshd/sshd_config" -E "$H/sshd/sshd.log"
`;
}

/** Lays out an nginx host: a copy of /etc/nginx with the lab's site instead of Debian's default. */
export function writeNginxFiles(host: HostIdentity, paths: HostPaths): void {
  cpSync(SYSTEM_NGINX_DIR, paths.nginxDir, { recursive: true, verbatimSymlinks: true });
  const enabled = join(paths.nginxDir, "sites-enabled");
  for (const site of readdirSync(enabled)) rmSync(join(enabled, site));
  writeFileSync(paths.nginxConf, nginxConf(NGINX_HEALTHY_CONNECTIONS));
  writeFileSync(paths.nginxSite, nginxSite(host));
  const link = join(enabled, "lab-proxy");
  if (!lstatSync(link, { throwIfNoEntry: false }))
    symlinkSync("../sites-available/lab-proxy", link);
  writeFileSync(paths.errorLog, "");
  writeFileSync(paths.accessLog, "");
  writeFileSync(paths.initScript, nginxInitScript(host, paths), { mode: 0o755 });
}

export function nginxPid(labDir: string, host: HostState): number | null {
  const pid = pidFromFile(hostPaths(labDir, host.name).nginxPidFile);
  return isHostProcess(pid, labDir, host) ? pid : null;
}

export interface ReloadOutcome {
  /** The master runs the new configuration (new workers); false: it kept the old one. */
  readonly applied: boolean;
  /** What the master wrote to the error log meanwhile. */
  readonly errorLog: string;
}

/**
 * SIGHUP to the master, as `nginx -s reload` sends it, but without the client's own parse of the
 * configuration, which would refuse a broken file before the master ever saw it. Resolves once
 * new workers run or the master logged why it kept the old configuration.
 */
async function nginxReload(labDir: string, host: HostState): Promise<ReloadOutcome> {
  const paths = hostPaths(labDir, host.name);
  const master = nginxPid(labDir, host);
  if (master === null) throw new LabError("lab-down", `${host.name}'s nginx is not running`);
  const before = new Set(childrenOf(master));
  const offset = sizeOf(paths.errorLog);
  signal(master, "SIGHUP");
  let applied = false;
  await waitUntil(
    () => {
      applied = childrenOf(master).some((pid) => !before.has(pid));
      return applied || /\[emerg\]/.test(readFrom(paths.errorLog, offset));
    },
    { timeoutMs: 15_000, what: `${host.name}'s nginx to reload` },
  );
  if (applied) {
    // Old workers keep accepting until they notice; a request sent before they exit may still
    // get the old configuration. They linger only while a request of theirs hangs upstream.
    await waitUntil(() => !childrenOf(master).some((pid) => before.has(pid)), {
      timeoutMs: 10_000,
      what: `${host.name}'s old nginx workers to exit`,
    }).catch(() => undefined);
  }
  return { applied, errorLog: readFrom(paths.errorLog, offset) };
}

async function mustReload(labDir: string, host: HostState): Promise<void> {
  const outcome = await nginxReload(labDir, host);
  if (!outcome.applied) {
    throw new LabError(
      "command-failed",
      `${host.name}'s nginx kept its old configuration: ${outcome.errorLog}`,
    );
  }
}

/** Breaks an nginx host; the modes mean what they mean for Apache (see modes.ts). */
export async function injectNginxFault(
  labDir: string,
  host: HostState,
  mode: LabMode,
  load: AbortSignal,
): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  switch (mode) {
    // The upstream-only modes are the lab's own (upstream-behaviour.ts injectUpstreamFault).
    case "dns-failure":
      // nginx resolves proxy_pass names when it loads its configuration: the reload fails.
      writeFileSync(paths.etcHosts, etcHosts(host, false));
      await nginxReload(labDir, host);
      return;
    case "backend-tls":
      writeFileSync(paths.nginxSite, nginxSite(host, "backend-tls"));
      return mustReload(labDir, host);
    case "config-syntax":
      // The reload a deploy or an operator sends anyway: the master keeps its old configuration.
      writeFileSync(paths.nginxSite, nginxSite(host, "config-syntax"));
      await nginxReload(labDir, host);
      return;
    case "worker-exhaustion":
      return exhaustConnections(labDir, host, load);
    case "upstream-unhealthy":
      writeFileSync(paths.nginxSite, nginxSite(host, "upstream-unhealthy"));
      await mustReload(labDir, host);
      await stopUpstream(labDir, host);
      // The first request fails on both servers and marks them; the next find no live upstream.
      await sendRequests(host.address, 1, "/api/", { timeoutMs: 10_000 });
      return;
  }
}

/** Few connections per worker, a hanging upstream, more clients than connections. */
async function exhaustConnections(
  labDir: string,
  host: HostState,
  load: AbortSignal,
): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  writeFileSync(paths.nginxConf, nginxConf(NGINX_EXHAUSTED_CONNECTIONS));
  await mustReload(labDir, host);
  setUpstreamBehaviour(labDir, host.name, "hang");
  const offset = sizeOf(paths.errorLog);
  const clients = 4;
  sendRequests(host.address, clients, "/api/", {
    concurrency: clients,
    timeoutMs: 60_000,
    signal: load,
  }).catch(() => undefined);
  await waitUntil(() => readFrom(paths.errorLog, offset).includes("worker_connections"), {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: `${host.name}'s nginx to report that its worker_connections are not enough`,
  });
}

/** Healthy files and upstream again; starts or reloads nginx; waits for a 200. */
export async function restoreNginxHost(labDir: string, host: HostState): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  writeFileSync(paths.nginxSite, nginxSite(host));
  writeFileSync(paths.nginxConf, nginxConf(NGINX_HEALTHY_CONNECTIONS));
  writeFileSync(paths.etcHosts, etcHosts(host));
  setUpstreamBehaviour(labDir, host.name, "ok");
  if (!isLabProcess(host.upstreamPid, labDir)) {
    host.upstreamPid = startUpstream(labDir, host);
    await waitUntil(() => tcpOpen(host.address, UPSTREAM_PORT), {
      timeoutMs: 10_000,
      what: `${host.name}'s upstream to listen again`,
    });
  }
  if (nginxPid(labDir, host) === null) {
    const started = await execInHost(labDir, host, ["nginx"]);
    if (started.code !== 0) {
      throw new LabError("command-failed", `nginx on ${host.name}: ${started.stderr}`);
    }
  } else {
    await mustReload(labDir, host);
  }
  await waitUntil(
    async () => (await sendRequests(host.address, 1, "/api/", { timeoutMs: 5000 }))[0] === 200,
    { timeoutMs: 30_000, intervalMs: 100, what: `a 200 through ${host.name}'s nginx again` },
  );
}
