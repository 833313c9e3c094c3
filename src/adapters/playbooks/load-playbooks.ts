import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { Playbook } from "../../domain/playbook";
import { validatePlaybook } from "../../domain/playbook-validation";
import type { PlaybookCatalog } from "../../ports/playbook-catalog";
import { displayName, fileError, loadYamlFile } from "./yaml-file";

export interface LoadedPlaybooks {
  playbooks: Playbook[];
  /** Every problem as `file: path.to.field: message`. */
  errors: string[];
}

const isYaml = (name: string): boolean => /\.ya?ml$/.test(name);

/** Loads one playbook file: YAML, schema, then templates and the rest (domain validation). */
export async function loadPlaybookFile(path: string): Promise<LoadedPlaybooks> {
  const loaded = await loadYamlFile(path, Playbook);
  if (!loaded.ok) return { playbooks: [], errors: loaded.errors };
  const name = displayName(path);
  const errors = validatePlaybook(loaded.value).map((i) => fileError(name, i.path, i.message));
  const stem = basename(path).replace(/\.ya?ml$/, "");
  if (loaded.value.id !== stem) {
    // `run apache-502` finds the playbook by id; a file named otherwise would hide it.
    errors.push(fileError(name, "id", `"${loaded.value.id}" must match the file name "${stem}"`));
  }
  return { playbooks: errors.length ? [] : [loaded.value], errors };
}

/** Loads every *.yaml / *.yml playbook of a directory, sorted by file name. */
export async function loadPlaybooks(dir: string): Promise<LoadedPlaybooks> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isYaml).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      playbooks: [],
      errors: [fileError(displayName(dir), "", `cannot read the directory (${code})`)],
    };
  }
  const results = await Promise.all(names.map((name) => loadPlaybookFile(join(dir, name))));
  return {
    playbooks: results.flatMap((result) => result.playbooks),
    errors: results.flatMap((result) => result.errors),
  };
}

/** A catalog over a directory, loaded once; invalid files are left out (validate lists them). */
export async function yamlPlaybookCatalog(
  dir: string,
): Promise<{ catalog: PlaybookCatalog; errors: string[] }> {
  const { playbooks, errors } = await loadPlaybooks(dir);
  const byId = new Map(playbooks.map((playbook) => [playbook.id, playbook]));
  const catalog: PlaybookCatalog = {
    get: async (id) => byId.get(id) ?? null,
    list: async () => [...byId.values()],
  };
  return { catalog, errors };
}
