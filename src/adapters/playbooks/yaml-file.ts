import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { formatIssuePath } from "../../domain/playbook-validation";

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
 * Reads a YAML file and validates it with a zod schema. Every problem is reported, not just the
 * first: YAML syntax errors with their line and column, schema issues with their field path.
 */
export async function loadYamlFile<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<Loaded<z.infer<S>>> {
  const name = displayName(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    return { ok: false, errors: [fileError(name, "", `cannot read the file (${code || error})`)] };
  }
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
