import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import type { z } from "zod";
import { formatIssuePath } from "../../domain/playbook-validation";
import type { CachedKind, ValidatedFileCache } from "./validated-cache";

/** `file: path.to.field: message`, the one error format of `validate`. */
export function fileError(file: string, field: string, message: string): string {
  return `${file}: ${field || "(top level)"}: ${message}`;
}

/** How a file is named in errors: relative to the working directory when inside it. */
export function displayName(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Everything that turns a file's text into its value (YAML, schema, further checks), reporting
 * every problem with the file's `name`. The value it accepts must depend on the text alone (the
 * path may only add errors): values are cached by the file's content.
 */
export type Validation<T> = (text: string, name: string) => Loaded<T>;

/** A cache and what its entries are (a playbook's bytes are not an inventory's value). */
export interface CacheSlot {
  cache: ValidatedFileCache;
  kind: CachedKind;
}

/**
 * Reads a file and validates it. With a cache, bytes this version of the bot already validated
 * are not validated again (nor is the YAML parser loaded); a value that fails is never stored, so
 * a broken file is read and reported in full every time.
 */
export async function loadValidatedFile<T>(
  path: string,
  validate: Validation<T>,
  slot?: CacheSlot,
): Promise<Loaded<T>> {
  const name = displayName(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    return { ok: false, errors: [fileError(name, "", `cannot read the file (${code || error})`)] };
  }
  const hit = slot ? await slot.cache.lookup(slot.kind, bytes) : undefined;
  // Stored by this version and format (both are in the key) from a value `validate` returned.
  if (hit !== undefined) return { ok: true, value: hit as T };
  const loaded = validate(bytes.toString("utf8"), name);
  if (loaded.ok && slot) await slot.cache.store(slot.kind, bytes, loaded.value);
  return loaded;
}

/**
 * Parses YAML text and validates it with a zod schema. Every problem is reported, not just the
 * first: YAML syntax errors with their line and column, schema issues with their field path.
 */
export function parseYamlText<S extends z.ZodType>(
  text: string,
  name: string,
  schema: S,
): Loaded<z.infer<S>> {
  // Loaded here, not at the top: a command whose files all come from the cache never needs it,
  // and it costs a one-host run a fifth of its start-up. CommonJS output, hence require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy loading, see above
  const { LineCounter, parseDocument } = require("yaml") as typeof import("yaml");
  const lines = new LineCounter();
  const document = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: true,
    lineCounter: lines,
  });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const at = lines.linePos(error.pos[0]);
        const where = `line ${at.line}, column ${at.col}`;
        return fileError(name, where, error.message.split("\n")[0] ?? error.message);
      }),
    };
  }
  const result = schema.safeParse(document.toJS());
  if (!result.success) {
    const errors = result.error.issues.flatMap((issue) =>
      // An unknown field is named by its own path, where an editor would put the cursor.
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) =>
            fileError(name, formatIssuePath([...issue.path, key]), "unknown field"),
          )
        : [fileError(name, formatIssuePath(issue.path), issue.message)],
    );
    return { ok: false, errors };
  }
  return { ok: true, value: result.data };
}

/** Reads a YAML file and validates it with a zod schema (see parseYamlText), through a cache if given. */
export async function loadYamlFile<S extends z.ZodType>(
  path: string,
  schema: S,
  slot?: CacheSlot,
): Promise<Loaded<z.infer<S>>> {
  return loadValidatedFile(path, (text, name) => parseYamlText(text, name, schema), slot);
}
