import { stringify } from "yaml";
import { hostKind } from "./host-kinds";
import type { ProxyKind } from "./modes";

export interface InventoryInput {
  privateKeyPath: string;
  knownHostsPath: string;
  hosts: readonly { name: string; address: string; kind: ProxyKind }[];
}

/**
 * The lab's inventory.yml in the CONTRACT's format. Thanks to the mount namespaces the paths in
 * vars are the Debian defaults; they are written anyway so playbooks never hard-code them.
 */
export function inventoryYaml(input: InventoryInput): string {
  const hosts: Record<string, { address: string; kind?: ProxyKind; vars: Record<string, string> }> =
    {};
  for (const host of input.hosts) {
    const vars = hostKind(host.kind).inventoryVars(host);
    // No kind means apache (CONTRACT): Apache hosts are written as before kinds existed.
    hosts[host.name] =
      host.kind === "apache"
        ? { address: host.address, vars }
        : { address: host.address, kind: host.kind, vars };
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
