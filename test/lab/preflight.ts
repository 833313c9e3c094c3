import { existsSync } from "node:fs";
import { LabError } from "./errors";
import type { ProxyKind } from "./modes";
import { runCommand, tcpOpen } from "./processes";

/** No lab ever uses this address; anything answering there listens on every address. */
const UNUSED_LOOPBACK = "127.0.255.254";
const HOST_PORTS: readonly [number, string][] = [
  [22, "sshd"],
  [80, "Apache"],
  [9000, "upstream"],
];

/** What each kind of host needs besides sshd and util-linux (Debian's packages). */
const KIND_FILES: Readonly<Record<ProxyKind, readonly [string, string][]>> = {
  apache: [
    ["/usr/sbin/apache2", "apache2"],
    ["/usr/sbin/apache2ctl", "apache2"],
    ["/etc/apache2/apache2.conf", "apache2"],
    ["/usr/lib/apache2/modules/mod_proxy_http.so", "apache2"],
  ],
  nginx: [
    ["/usr/sbin/nginx", "nginx"],
    ["/etc/nginx/nginx.conf", "nginx"],
  ],
  haproxy: [
    ["/usr/sbin/haproxy", "haproxy"],
    ["/etc/haproxy/haproxy.cfg", "haproxy"],
    ["/var/lib/haproxy", "haproxy"],
  ],
};

const REQUIRED_FILES: readonly [string, string][] = [
  ["/usr/sbin/sshd", "openssh-server"],
  ["/usr/bin/ssh-keygen", "openssh-client"],
  ["/usr/bin/unshare", "util-linux"],
  ["/usr/bin/nsenter", "util-linux"],
];

/**
 * The lab needs root (mount namespaces, port 22 and 80), Debian's openssh-server and the package of
 * each kind of proxy it runs (apache2, nginx, haproxy).
 * Anything missing fails here with what to install, not halfway through start-up.
 */
export async function preflight(kinds: readonly ProxyKind[] = ["apache"]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      "not-root",
      "the incident lab needs root (mount namespaces, ports 22 and 80)",
    );
  }
  const required = [...REQUIRED_FILES, ...[...new Set(kinds)].flatMap((kind) => KIND_FILES[kind])];
  const missing = required.filter(([path]) => !existsSync(path));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, pkg]) => pkg))].join(" ");
    throw new LabError(
      "missing-tool",
      `missing ${missing.map(([path]) => path).join(", ")}: apt-get install ${packages}`,
    );
  }
  const probe = await runCommand("unshare", ["--mount", "--propagation", "private", "true"]);
  if (probe.code !== 0) {
    throw new LabError(
      "namespace-failed",
      `this machine cannot create mount namespaces (unshare --mount failed: ${probe.stderr.trim()}); ` +
        "the lab needs them to give each host its own /etc/apache2, /etc/hosts and logs",
    );
  }
  for (const [port, what] of HOST_PORTS) {
    if (await tcpOpen(UNUSED_LOOPBACK, port)) {
      throw new LabError(
        "port-taken",
        `something on this machine listens on every address at port ${port} (0.0.0.0:${port} or ` +
          `[::]:${port}), so the lab's hosts cannot bind their own ${what} there; stop it (e.g. ` +
          "`service ssh stop`, `apache2ctl stop`) or make it listen on 127.0.0.1 only",
      );
    }
  }
}
