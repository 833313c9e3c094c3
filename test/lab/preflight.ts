import { existsSync } from "node:fs";
import { LabError } from "./errors";
import { runCommand, tcpOpen } from "./processes";

/** No lab ever uses this address; anything answering there listens on every address. */
const UNUSED_LOOPBACK = "127.0.255.254";
const HOST_PORTS: readonly [number, string][] = [
  [22, "sshd"],
  [80, "Apache"],
  [9000, "upstream"],
];

const REQUIRED_FILES: readonly [string, string][] = [
  ["/usr/sbin/apache2", "apache2"],
  ["/usr/sbin/apache2ctl", "apache2"],
  ["/etc/apache2/apache2.conf", "apache2"],
  ["/usr/lib/apache2/modules/mod_proxy_http.so", "apache2"],
  ["/usr/sbin/sshd", "openssh-server"],
  ["/usr/bin/ssh-keygen", "openssh-client"],
  ["/usr/bin/unshare", "util-linux"],
  ["/usr/bin/nsenter", "util-linux"],
];

/**
 * The lab needs root (mount namespaces, port 22 and 80) and Debian's apache2 and openssh-server.
 * Anything missing fails here with what to install, not halfway through start-up.
 */
export async function preflight(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      "not-root",
      "the incident lab needs root (mount namespaces, ports 22 and 80)",
    );
  }
  const missing = REQUIRED_FILES.filter(([path]) => !existsSync(path));
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
