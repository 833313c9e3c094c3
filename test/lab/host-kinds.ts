import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "./errors";
import { injectFault, restoreHost } from "./faults";
import {
  UPSTREAM_PORT,
  upstreamName,
  writeCommonHostFiles,
  writeHostFiles,
  type HostIdentity,
  type HostPaths,
} from "./host-files";
import { apachePid } from "./host-runtime";
import {
  haproxyPid,
  injectHaproxyFault,
  restoreHaproxyHost,
  writeHaproxyFiles,
} from "./haproxy-host";
import { KIND_MODES, isBreakMode, type LabMode, type ProxyKind } from "./modes";
import { injectNginxFault, nginxPid, restoreNginxHost, writeNginxFiles } from "./nginx-host";
import { isHostProcess } from "./processes";
import type { HostState } from "./state";
import { SYSLOG_RECEIVER_SOURCE, SYSLOG_SCRIPT } from "./syslog-receiver";

/** What the lab knows about building, breaking and repairing a host of one proxy kind. */
export interface HostKind {
  readonly kind: ProxyKind;
  /** The proxy's error log and access log (HAProxy writes both to one file). */
  logs(paths: HostPaths): { errorLog: string; accessLog: string };
  /** The vars of the host in the generated inventory, beside `kind`. */
  inventoryVars(host: HostIdentity): Record<string, string>;
  /** What a person reads first on the host (the CLI's ssh example). */
  readonly firstLook: string;
  writeFiles(host: HostIdentity, paths: HostPaths, labDir: string, authorizedKeys: string): void;
  /** The running master (Apache parent, nginx master, HAProxy master), if the lab started it. */
  proxyPid(labDir: string, host: HostState): number | null;
  inject(labDir: string, host: HostState, mode: LabMode, load: AbortSignal): Promise<void>;
  restore(labDir: string, host: HostState, previous: LabMode | null): Promise<void>;
}

const commonVars = (host: HostIdentity): Record<string, string> => ({
  upstream_url: `http://${upstreamName(host.name)}:${UPSTREAM_PORT}`,
  proxy_url: `http://${host.address}/api/`,
});

const apache: HostKind = {
  kind: "apache",
  logs: (paths) => ({ errorLog: paths.errorLog, accessLog: paths.accessLog }),
  inventoryVars: (host) => ({
    ...commonVars(host),
    error_log: "/var/log/apache2/error.log",
    access_log: "/var/log/apache2/access.log",
    apachectl: "apache2ctl",
    status_url: `http://${host.address}/server-status`,
  }),
  firstLook: "tail /var/log/apache2/error.log",
  writeFiles: (host, paths, _labDir, authorizedKeys) => writeHostFiles(host, paths, authorizedKeys),
  proxyPid: (labDir, host) => {
    const pid = apachePid(labDir, host.name);
    return isHostProcess(pid, labDir, host) ? pid : null;
  },
  inject: (labDir, host, mode, load) => {
    if (!isBreakMode(mode)) throw unsupported("apache", mode);
    return injectFault(labDir, host, mode, load);
  },
  restore: (labDir, host, previous) =>
    restoreHost(labDir, host, previous !== null && isBreakMode(previous) ? previous : null),
};

const nginx: HostKind = {
  kind: "nginx",
  logs: (paths) => ({ errorLog: paths.errorLog, accessLog: paths.accessLog }),
  inventoryVars: (host) => ({
    ...commonVars(host),
    error_log: "/var/log/nginx/error.log",
    access_log: "/var/log/nginx/access.log",
    status_url: `http://${host.address}/nginx_status`,
  }),
  firstLook: "tail /var/log/nginx/error.log",
  writeFiles: (host, paths, _labDir, authorizedKeys) => {
    writeCommonHostFiles(host, paths, authorizedKeys);
    writeNginxFiles(host, paths);
  },
  proxyPid: nginxPid,
  inject: injectNginxFault,
  restore: (labDir, host) => restoreNginxHost(labDir, host),
};

const haproxy: HostKind = {
  kind: "haproxy",
  logs: (paths) => ({ errorLog: paths.haproxyLog, accessLog: paths.haproxyLog }),
  inventoryVars: (host) => ({
    ...commonVars(host),
    log: "/var/log/haproxy.log",
    config: "/etc/haproxy/haproxy.cfg",
    stats_socket: "/run/haproxy/admin.sock",
    master_socket: "/run/haproxy-master.sock",
  }),
  firstLook: "tail /var/log/haproxy.log",
  writeFiles: (host, paths, labDir, authorizedKeys) => {
    writeCommonHostFiles(host, paths, authorizedKeys);
    writeHaproxyFiles(host, paths, labDir);
  },
  proxyPid: haproxyPid,
  inject: injectHaproxyFault,
  restore: (labDir, host) => restoreHaproxyHost(labDir, host),
};

const KINDS: Readonly<Record<ProxyKind, HostKind>> = { apache, nginx, haproxy };

export function hostKind(kind: ProxyKind): HostKind {
  return KINDS[kind];
}

/** Files the lab dir needs once, whatever kinds its hosts are. */
export function writeKindScripts(labDir: string): void {
  writeFileSync(join(labDir, SYSLOG_SCRIPT), SYSLOG_RECEIVER_SOURCE);
}

export function assertModeSupported(kind: ProxyKind, mode: LabMode): void {
  if (!KIND_MODES[kind].includes(mode)) throw unsupported(kind, mode);
}

function unsupported(kind: ProxyKind, mode: string): LabError {
  return new LabError(
    "unknown-mode",
    `a host of kind ${kind} has no break mode "${mode}" (it has: ${KIND_MODES[kind].join(", ")})`,
  );
}
