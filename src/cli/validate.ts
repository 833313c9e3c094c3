import { parseArgs } from "node:util";
import { loadInventory } from "../adapters/playbooks/load-inventory";
import { loadPlaybooks } from "../adapters/playbooks/load-playbooks";
import { displayName, fileError } from "../adapters/playbooks/yaml-file";
import { checkInventoryVars } from "../domain/playbook-validation";
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
    for (const playbook of loadedPlaybooks.playbooks) {
      for (const issue of checkInventoryVars(loadedInventory.inventory.hosts, playbook)) {
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
