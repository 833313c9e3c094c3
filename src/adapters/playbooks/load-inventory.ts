import { homedir } from "node:os";
import {
  Inventory,
  hostKind,
  hostTarget,
  hostUpstreamService,
  selectHosts,
  type InventoryTarget,
} from "../../domain/inventory";
import type { ProxyKindName } from "../../domain/proxies/registry";
import type { ValidatedFileCache } from "./validated-cache";
import { loadYamlFile } from "./yaml-file";

export interface InventoryHostEntry {
  name: string;
  target: InventoryTarget;
  kind: ProxyKindName;
  vars: Record<string, string | number>;
  /** The upstream service the proxy forwards to (inventory `upstreamService:`), if named. */
  upstreamService?: string;
}

/**
 * Loads inventory.yml (the CONTRACT format); errors as `file: path.to.field: message`. With a
 * cache, a file whose bytes were validated before is not parsed again.
 */
export async function loadInventory(
  path: string,
  cache?: ValidatedFileCache,
): Promise<{ inventory: Inventory; errors: [] } | { inventory: null; errors: string[] }> {
  const loaded = await loadYamlFile(path, Inventory, cache && { cache, kind: "inventory" });
  return loaded.ok
    ? { inventory: loaded.value, errors: [] }
    : { inventory: null, errors: loaded.errors };
}

/**
 * The hosts of a selection (host names, group names, `all`) with their connection settings (`~`
 * expanded) and vars. Throws HostSelectionError naming the known hosts and groups.
 */
export function resolveInventoryHosts(
  inventory: Inventory,
  selection: readonly string[],
  home = homedir(),
): InventoryHostEntry[] {
  return selectHosts(inventory, selection).map((name) => {
    const upstreamService = hostUpstreamService(inventory, name);
    return {
      name,
      target: hostTarget(inventory, name, home),
      kind: hostKind(inventory, name),
      vars: inventory.hosts[name]?.vars ?? {},
      ...(upstreamService ? { upstreamService } : {}),
    };
  });
}
