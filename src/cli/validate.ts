import { parseArgs } from "node:util";
import { loadInventory } from "../adapters/playbooks/load-inventory";
import { loadPlaybooks } from "../adapters/playbooks/load-playbooks";
import { displayName, fileError } from "../adapters/playbooks/yaml-file";
import { serviceVars, type Inventory } from "../domain/inventory";
import { checkInventoryVars } from "../domain/playbook-validation";
import type { ServiceManager } from "../domain/service-manager";
import { EXIT_FAILED, EXIT_OK, type Subcommand } from "./io";
import { cliConfig } from "./settings";

export const validateUsage = "incident-bot validate [--playbooks DIR] [--inventory FILE]";

/**
 * Checks every playbook and the inventory, and that each host's vars fit the types of the
 * playbooks that declare them. Prints every problem as `file: path.to.field: message`.
 */
export const validate: Subcommand = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: { playbooks: { type: "string" }, inventory: { type: "string" } },
    strict: true,
  });
  const config = cliConfig(io);
  const playbooksDir = values.playbooks ?? config.playbooksDir;
  const inventoryPath = values.inventory ?? config.inventoryPath;
  const loadedPlaybooks = await loadPlaybooks(playbooksDir);
  const loadedInventory = await loadInventory(inventoryPath);
  const errors = [...loadedPlaybooks.errors, ...loadedInventory.errors];
  if (loadedInventory.inventory) {
    const name = displayName(inventoryPath);
    const inventory = loadedInventory.inventory;
    for (const playbook of loadedPlaybooks.playbooks) {
      const hosts = playbook.service
        ? serviceHostVars(inventory, playbook.service)
        : inventory.hosts;
      for (const issue of checkInventoryVars(hosts, playbook)) {
        errors.push(fileError(name, issue.path, issue.message));
      }
    }
  }
  if (errors.length > 0) {
    errors.forEach((error) => io.out(error));
    io.err(`${errors.length} problem${errors.length === 1 ? "" : "s"} found`);
    return EXIT_FAILED;
  }
  const hosts = Object.keys(loadedInventory.inventory?.hosts ?? {}).length;
  io.out(`ok: ${loadedPlaybooks.playbooks.length} playbooks, ${hosts} hosts`);
  return EXIT_OK;
};

/**
 * A service playbook runs only on the hosts of that manager's services, with the service's own
 * variables over the host's: those are the vars to check it against.
 */
function serviceHostVars(
  inventory: Inventory,
  manager: ServiceManager,
): Record<string, { vars: Record<string, string | number> }> {
  const hosts: Record<string, { vars: Record<string, string | number> }> = {};
  for (const service of Object.values(inventory.services)) {
    if (service.manager !== manager) continue;
    for (const host of service.hosts) {
      hosts[host] = { vars: { ...(inventory.hosts[host]?.vars ?? {}), ...serviceVars(service) } };
    }
  }
  return hosts;
}
