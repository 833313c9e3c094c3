import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { Playbook } from "../../domain/playbook";
import { validatePlaybook } from "../../domain/playbook-validation";
import type { PlaybookCatalog } from "../../ports/playbook-catalog";
import type { ValidatedFileCache } from "./validated-cache";
import { displayName, fileError, loadValidatedFile, parseYamlText, type Loaded } from "./yaml-file";

export interface LoadedPlaybooks {
  playbooks: Playbook[];
  /** Every problem as `file: path.to.field: message`. */
  errors: string[];
}

const isYaml = (name: string): boolean => /\.ya?ml$/.test(name);

/**
 * Loads one playbook file: YAML, schema, then templates and the rest (domain validation). With a
 * cache, a file whose bytes were validated before skips all of that.
 */
export async function loadPlaybookFile(
  path: string,
  cache?: ValidatedFileCache,
): Promise<LoadedPlaybooks> {
  const loaded = await loadValidatedFile(
    path,
    (text, name) => checkPlaybookText(text, name, path),
    cache && { cache, kind: "playbook" },
  );
  if (!loaded.ok) return { playbooks: [], errors: loaded.errors };
  // Checked again on a hit: the same bytes may have been validated under another file name.
  const misnamed = idFileMismatch(loaded.value, path);
  return misnamed
    ? { playbooks: [], errors: [misnamed] }
    : { playbooks: [loaded.value], errors: [] };
}

function checkPlaybookText(text: string, name: string, path: string): Loaded<Playbook> {
  const parsed = parseYamlText(text, name, Playbook);
  if (!parsed.ok) return parsed;
  const errors = validatePlaybook(parsed.value).map((i) => fileError(name, i.path, i.message));
  const misnamed = idFileMismatch(parsed.value, path);
  if (misnamed) errors.push(misnamed);
  return errors.length > 0 ? { ok: false, errors } : parsed;
}

/** `run apache-502` finds the playbook by id; a file named otherwise would hide it. */
function idFileMismatch(playbook: Playbook, path: string): string | null {
  const stem = basename(path).replace(/\.ya?ml$/, "");
  if (playbook.id === stem) return null;
  return fileError(displayName(path), "id", `"${playbook.id}" must match the file name "${stem}"`);
}

/** Loads every *.yaml / *.yml playbook of a directory, sorted by file name. */
export async function loadPlaybooks(
  dir: string,
  cache?: ValidatedFileCache,
): Promise<LoadedPlaybooks> {
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
  const results = await Promise.all(names.map((name) => loadPlaybookFile(join(dir, name), cache)));
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
