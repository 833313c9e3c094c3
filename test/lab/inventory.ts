import { stringify } from "yaml";
import { UPSTREAM_PORT, upstreamName } from "./host-files";

export interface InventoryInput {
  privateKeyPath: string;
  knownHostsPath: string;
  hosts: readonly { name: string; address: string }[];
}

/**
 * The lab's inventory.yml in the CONTRACT's format. Thanks to the mount namespaces the paths in
 * vars are the Debian defaults; they are written anyway so playbooks never hard-code them.
 */
export function inventoryYaml(input: InventoryInput): string {
  const hosts: Record<string, { address: string; vars: Record<string, string> }> = {};
  for (const host of input.hosts) {
    hosts[host.name] = {
      address: host.address,
      vars: {
        upstream_url: `http://${upstreamName(host.name)}:${UPSTREAM_PORT}`,
        error_log: "/var/log/apache2/error.log",
        access_log: "/var/log/apache2/access.log",
        apachectl: "apache2ctl",
        proxy_url: `http://${host.address}/api/`,
        status_url: `http://${host.address}/server-status`,
      },
    };
  }
  const document = {
    defaults: {
      user: "root",
      port: 22,
      privateKey: input.privateKeyPath,
      knownHosts: input.knownHostsPath,
    },
    hosts,
    groups: { lab: input.hosts.map((host) => host.name) },
  };
  return `# Written by the incident lab (test/lab); every \`up\` rewrites it.\n${stringify(document)}`;
}
