import {
  appendFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** Where the machine's Apache configuration is copied from (Debian's apache2 package). */
export const SYSTEM_APACHE_DIR = "/etc/apache2";
export const UPSTREAM_PORT = 9000;
/** Short, so a hanging upstream turns into an error in seconds rather than Apache's 300 s. */
export const PROXY_TIMEOUT_SECONDS = 3;
export const LOG_LEVEL = "warn proxy:info";
export const ACCESS_LOG_FORMAT = String.raw`%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D`;

/** A healthy host's worker limits, and the shrunken ones of the worker-exhaustion mode. */
export const HEALTHY_WORKERS = { threadsPerChild: 16, maxRequestWorkers: 64 } as const;
export const EXHAUSTED_WORKERS = { threadsPerChild: 2, maxRequestWorkers: 2 } as const;

/** Modules the lab's proxies need, enabled Debian-style (symlinks in mods-enabled). */
const REQUIRED_MODULES = [
  "mpm_event",
  "authz_core",
  "authz_host",
  "setenvif",
  "mime",
  "socache_shmcb",
  "proxy",
  "proxy_http",
  "ssl",
  "status",
];
const OTHER_MPMS = ["mpm_prefork", "mpm_worker"];

/** Inside the host's mount namespace these are the Debian defaults; outside they live here. */
export interface HostPaths {
  root: string;
  apacheDir: string;
  logDir: string;
  runDir: string;
  lockDir: string;
  homeDir: string;
  etcHosts: string;
  resolvConf: string;
  sshdDir: string;
  sshdConfig: string;
  hostKey: string;
  sshdLog: string;
  initScript: string;
  initLog: string;
  upstreamBehaviour: string;
  upstreamLog: string;
  /** The upstream's pid, for the lab's systemctl stand-in (systemctl-stand-in.ts). */
  upstreamPidFile: string;
  /** The lab's stand-in for systemctl on this host (not systemd; see systemctl-stand-in.ts). */
  systemctlStandIn: string;
  errorLog: string;
  accessLog: string;
  siteConfig: string;
  mpmConfig: string;
  apachePidFile: string;
  /** nginx hosts: /etc/nginx, its site, its master's pid file (/run is run/ there). */
  nginxDir: string;
  nginxConf: string;
  nginxSite: string;
  nginxPidFile: string;
  /** HAProxy hosts: /etc/haproxy, /var/log (log/) and the master's pid file and sockets. */
  haproxyDir: string;
  haproxyConfig: string;
  haproxyLog: string;
  haproxyMasterLog: string;
  haproxyPidFile: string;
  haproxyAdminSocket: string;
  haproxyMasterSocket: string;
}

export function hostPaths(labDir: string, name: string): HostPaths {
  const root = join(labDir, "hosts", name);
  const apacheDir = join(root, "apache2");
  const logDir = join(root, "log");
  const runDir = join(root, "run");
  const sshdDir = join(root, "sshd");
  return {
    root,
    apacheDir,
    logDir,
    runDir,
    lockDir: join(root, "lock"),
    homeDir: join(root, "home"),
    etcHosts: join(root, "etc-hosts"),
    resolvConf: join(root, "resolv.conf"),
    sshdDir,
    sshdConfig: join(sshdDir, "sshd_config"),
    hostKey: join(sshdDir, "ssh_host_ed25519_key"),
    sshdLog: join(sshdDir, "sshd.log"),
    initScript: join(root, "init.sh"),
    initLog: join(root, "init.log"),
    upstreamBehaviour: join(root, "upstream.behaviour"),
    upstreamLog: join(root, "upstream.log"),
    upstreamPidFile: join(root, "upstream.pid"),
    systemctlStandIn: join(root, "lab-systemctl"),
    errorLog: join(logDir, "error.log"),
    accessLog: join(logDir, "access.log"),
    siteConfig: join(apacheDir, "sites-available", "lab-proxy.conf"),
    mpmConfig: join(apacheDir, "mods-available", "mpm_event.conf"),
    apachePidFile: join(runDir, "apache2.pid"),
    nginxDir: join(root, "nginx"),
    nginxConf: join(root, "nginx", "nginx.conf"),
    nginxSite: join(root, "nginx", "sites-available", "lab-proxy"),
    nginxPidFile: join(runDir, "nginx.pid"),
    haproxyDir: join(root, "haproxy"),
    haproxyConfig: join(root, "haproxy", "haproxy.cfg"),
    haproxyLog: join(logDir, "haproxy.log"),
    haproxyMasterLog: join(logDir, "haproxy-master.log"),
    haproxyPidFile: join(runDir, "haproxy.pid"),
    haproxyAdminSocket: join(runDir, "haproxy", "admin.sock"),
    haproxyMasterSocket: join(runDir, "haproxy-master.sock"),
  };
}

export function upstreamName(host: string): string {
  return `upstream.${host}.lab`;
}

export interface HostIdentity {
  name: string;
  address: string;
}

export type SiteVariant = "healthy" | "backend-tls" | "config-syntax";

/** The proxy's virtual host, as an operator would write it; variants are the injected faults. */
export function siteConfig(host: HostIdentity, variant: SiteVariant = "healthy"): string {
  const scheme = variant === "backend-tls" ? "https" : "http";
  const upstream = `${scheme}://${upstreamName(host.name)}:${UPSTREAM_PORT}/`;
  // A typo an operator makes while editing; configtest rejects it, the running server ignores it.
  const reverse = variant === "config-syntax" ? "ProxyPasReverse" : "ProxyPassReverse";
  return `# ${host.name}: reverse proxy for /api/ (written by the incident lab; \`fix\` restores it)
LogFormat "${ACCESS_LOG_FORMAT}" proxy_combined
ExtendedStatus On

<VirtualHost ${host.address}:80>
    ServerName ${host.name}
    ErrorLog \${APACHE_LOG_DIR}/error.log
    CustomLog \${APACHE_LOG_DIR}/access.log proxy_combined
    LogLevel ${LOG_LEVEL}

    ProxyRequests Off
    ProxyTimeout ${PROXY_TIMEOUT_SECONDS}
${variant === "backend-tls" ? "    SSLProxyEngine on\n" : ""}    ProxyPass /api/ ${upstream}
    ${reverse} /api/ ${upstream}

    <Location /server-status>
        SetHandler server-status
        Require local
    </Location>
</VirtualHost>
`;
}

/** mpm_event kept small; ServerLimit and ThreadLimit never change, as a graceful restart requires. */
export function mpmConfig(workers: { threadsPerChild: number; maxRequestWorkers: number }): string {
  const minSpare = Math.min(4, workers.threadsPerChild);
  return `# event MPM of the incident lab: small, so thirty hosts fit on a laptop
<IfModule mpm_event_module>
    StartServers            1
    ServerLimit             4
    ThreadLimit             16
    ThreadsPerChild         ${workers.threadsPerChild}
    MinSpareThreads         ${minSpare}
    MaxSpareThreads         ${Math.max(2 * workers.threadsPerChild, minSpare + workers.threadsPerChild)}
    MaxRequestWorkers       ${workers.maxRequestWorkers}
    MaxConnectionsPerChild  0
</IfModule>
`;
}

export function etcHosts(host: HostIdentity, withUpstream = true): string {
  const lines = ["127.0.0.1\tlocalhost", `${host.address}\t${host.name}`];
  if (withUpstream) lines.push(`${host.address}\t${upstreamName(host.name)}`);
  lines.push("::1\tlocalhost ip6-localhost ip6-loopback");
  return `${lines.join("\n")}\n`;
}

/** No DNS server listens on 127.0.0.1: names missing from /etc/hosts fail at once, off-machine never. */
export const RESOLV_CONF = "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";

export function sshdConfig(host: HostIdentity, paths: HostPaths, authorizedKeys: string): string {
  return `# sshd of ${host.name} (incident lab): key-only root login on its own address
ListenAddress ${host.address}:22
HostKey ${paths.hostKey}
PidFile ${join(paths.sshdDir, "sshd.pid")}
AuthorizedKeysFile ${authorizedKeys}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
# The key files live under the lab dir, which may sit below a world-writable /tmp.
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
# A benchmark fans out to thirty hosts with several sessions each.
MaxStartups 200:30:400
MaxSessions 64
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
LogLevel INFO
`;
}

/**
 * Runs as the first process of the host's own mount namespace: the host's directories go over the
 * Debian paths, Debian's apache2ctl starts Apache, and sshd takes over the process.
 */
export function initScript(host: HostIdentity, paths: HostPaths): string {
  return `#!/bin/sh
# ${host.name} of the incident lab, run as: unshare --mount --propagation private /bin/sh init.sh
set -eu
H='${paths.root}'
mkdir -p /var/run/apache2 /var/lock/apache2 /var/log/apache2 /run/sshd
mount --bind "$H/apache2" /etc/apache2
mount --bind "$H/log" /var/log/apache2
mount --bind "$H/run" /var/run/apache2
mount --bind "$H/lock" /var/lock/apache2
mount --bind "$H/etc-hosts" /etc/hosts
mount --bind "$H/resolv.conf" /etc/resolv.conf
mount --bind "$H/home" /root
echo "mounts ready in $(readlink /proc/self/ns/mnt)"
# apache2ctl start defers to systemd when PID 1 is systemd; this Apache belongs to the lab.
APACHE_STARTED_BY_SYSTEMD=incident-lab apache2ctl start
exec /usr/sbin/sshd -D -f "$H/sshd/sshd_config" -E "$H/sshd/sshd.log"
`;
}

/** Every proxy master's pid file a host may hold, whatever its kind. */
export function proxyPidFiles(paths: HostPaths): string[] {
  return [paths.apachePidFile, paths.nginxPidFile, paths.haproxyPidFile];
}

/** The files every host has, whatever its proxy: dirs, /etc/hosts, resolver, upstream, sshd. */
export function writeCommonHostFiles(
  host: HostIdentity,
  paths: HostPaths,
  authorizedKeys: string,
): void {
  for (const dir of [paths.logDir, paths.runDir, paths.lockDir, paths.sshdDir]) {
    mkdirSync(dir, { recursive: true });
  }
  mkdirSync(paths.homeDir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.etcHosts, etcHosts(host));
  writeFileSync(paths.resolvConf, RESOLV_CONF);
  writeFileSync(paths.upstreamBehaviour, "ok\n");
  writeFileSync(paths.sshdConfig, sshdConfig(host, paths, authorizedKeys));
}

/** Lays out one Apache host's directories and files (keys are written separately). */
export function writeHostFiles(host: HostIdentity, paths: HostPaths, authorizedKeys: string): void {
  writeCommonHostFiles(host, paths, authorizedKeys);
  copyApacheConfig(paths.apacheDir);
  writeFileSync(join(paths.apacheDir, "ports.conf"), `Listen ${host.address}:80\n`);
  // apache2ctl status asks http://localhost:80/ by default; this Apache listens on its address only.
  appendFileSync(
    join(paths.apacheDir, "envvars"),
    `\n## incident lab: where \`apache2ctl status\` finds mod_status\n` +
      `export APACHE_STATUSURL=http://${host.address}:80/server-status\n`,
  );
  writeFileSync(
    join(paths.apacheDir, "conf-available", "lab-servername.conf"),
    `ServerName ${host.name}\n`,
  );
  enable(paths.apacheDir, "conf", "lab-servername.conf");
  for (const site of readdirSync(join(paths.apacheDir, "sites-enabled"))) {
    rmSync(join(paths.apacheDir, "sites-enabled", site));
  }
  writeFileSync(paths.siteConfig, siteConfig(host));
  enable(paths.apacheDir, "sites", "lab-proxy.conf");
  writeFileSync(paths.mpmConfig, mpmConfig(HEALTHY_WORKERS));
  writeFileSync(paths.errorLog, "");
  writeFileSync(paths.accessLog, "");
  writeFileSync(paths.initScript, initScript(host, paths), { mode: 0o755 });
}

/** A copy of the machine's /etc/apache2, symlinks kept as they are (they are relative). */
function copyApacheConfig(target: string): void {
  cpSync(SYSTEM_APACHE_DIR, target, { recursive: true, verbatimSymlinks: true });
  for (const mpm of OTHER_MPMS) {
    for (const ext of ["load", "conf"]) {
      rmSync(join(target, "mods-enabled", `${mpm}.${ext}`), { force: true });
    }
  }
  for (const module of REQUIRED_MODULES) {
    for (const ext of ["load", "conf"]) {
      if (existsSync(join(target, "mods-available", `${module}.${ext}`))) {
        enable(target, "mods", `${module}.${ext}`);
      }
    }
  }
}

function enable(apacheDir: string, kind: "mods" | "conf" | "sites", file: string): void {
  const link = join(apacheDir, `${kind}-enabled`, file);
  if (!lstatSync(link, { throwIfNoEntry: false }))
    symlinkSync(`../${kind}-available/${file}`, link);
}
