import { z } from "zod";
import type { VariableSpec, VariableType } from "./playbook";

/**
 * Typed playbook variables. Quoting (domain/template.ts) already makes every value one literal
 * shell word; the types add what quoting cannot: a value that starts with "-" could still be read
 * as an option by the command (so no type takes one, negative integers included, and a url's
 * host may not start with "-" since `{{ url | host }}` would give it alone), a "path" must be
 * absolute, a "port" a real port, and so on.
 */

export type VariableValue = string | number;

// Tabs and newlines aside, no control characters: they only hide what a value really is.
const hasControlChar = (value: string): boolean =>
  [...value].some((c) => (c < " " && c !== "\t" && c !== "\n") || c === "\u007f");
const hostnameLabel = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const hostnamePattern = new RegExp(`^(?=.{1,253}$)${hostnameLabel}(?:\\.${hostnameLabel})*\\.?$`);
const ipv6Pattern = /^[0-9A-Fa-f:.]+$/;

/** Why a value starting with "-" is refused, whatever its type. */
export const OPTION_LIKE = 'must not start with "-": the command would read it as an option';

const asText = z.union([z.string(), z.number()]).transform((value) => String(value));

const baseSchemas: Record<VariableType, z.ZodType<string, VariableValue>> = {
  string: asText.pipe(z.string().refine((v) => !v.includes("\0"), "must not contain NUL")),
  word: asText.pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9_][A-Za-z0-9_.,:@%+=-]*$/,
        "a single word: letters, digits and _.,:@%+=- (not starting with -)",
      ),
  ),
  path: asText.pipe(
    z
      .string()
      .regex(/^\/[^\n\r\0]*$/, "an absolute path starting with /")
      .refine((v) => !hasControlChar(v), "must not contain control characters"),
  ),
  url: asText.pipe(z.string().refine(isHttpUrl, "an http:// or https:// URL with a host name")),
  hostname: asText.pipe(
    z.string().refine(isHostnameOrIp, "a host name or IP address (letters, digits, dots, dashes)"),
  ),
  port: asText.pipe(
    z
      .string()
      .regex(/^[0-9]{1,5}$/, "a port number")
      .refine((v) => Number(v) >= 1 && Number(v) <= 65535, "a port number from 1 to 65535"),
  ),
  integer: asText.pipe(z.string().regex(/^-?[0-9]{1,15}$/, "a whole number")),
};

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value) || hasControlChar(value)) return false;
  try {
    const url = new URL(value);
    const { protocol, hostname } = url;
    return (
      (protocol === "http:" || protocol === "https:") &&
      hostname.length > 0 &&
      !hostname.startsWith("-")
    );
  } catch {
    return false;
  }
}

function isHostnameOrIp(value: string): boolean {
  return hostnamePattern.test(value) || (value.includes(":") && ipv6Pattern.test(value));
}

/** The zod schema a value of this variable must satisfy (type, bounds, pattern). */
export function variableValueSchema(spec: VariableSpec): z.ZodType<string, VariableValue> {
  let schema = baseSchemas[spec.type].refine((v) => !v.startsWith("-"), {
    message: OPTION_LIKE,
    abort: true,
  });
  if (spec.type === "integer" || spec.type === "port") {
    const { min, max } = spec;
    if (min !== undefined) schema = schema.refine((v) => Number(v) >= min, `at least ${min}`);
    if (max !== undefined) schema = schema.refine((v) => Number(v) <= max, `at most ${max}`);
  }
  if (spec.pattern !== undefined) {
    const anchored = safeRegExp(`^(?:${spec.pattern})$`);
    if (anchored) {
      schema = schema.refine((v) => anchored.test(v), `must match the pattern ${spec.pattern}`);
    }
  }
  return schema;
}

/** A RegExp, or null when the source does not compile (validation reports that separately). */
export function safeRegExp(source: string, flags = ""): RegExp | null {
  try {
    return new RegExp(source, flags);
  } catch {
    return null;
  }
}

/** The problem with one value, or null when it satisfies the variable's type. */
export function checkVariableValue(spec: VariableSpec, value: VariableValue): string | null {
  const result = variableValueSchema(spec).safeParse(value);
  if (result.success) return null;
  return result.error.issues.map((issue) => issue.message).join("; ");
}

export interface VariableSources {
  /** From the inventory host's `vars`; override the playbook's defaults. */
  hostVars?: Record<string, VariableValue>;
  /** From the caller (e.g. `run --var k=v`); override everything. */
  overrides?: Record<string, VariableValue>;
}

export interface ResolvedVariables {
  values: Record<string, string>;
  /** `variable "x": message` for each missing or invalid value. */
  problems: string[];
}

/**
 * The value of every declared variable: override, else host var, else default. Host vars the
 * playbook does not declare are ignored: one inventory serves several playbooks.
 */
export function resolveVariables(
  specs: Record<string, VariableSpec>,
  sources: VariableSources,
): ResolvedVariables {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const value = sources.overrides?.[name] ?? sources.hostVars?.[name] ?? spec.default;
    if (value === undefined) {
      if (spec.required) problems.push(`variable "${name}": no value (no default, no host var)`);
      continue;
    }
    const result = variableValueSchema(spec).safeParse(value);
    if (result.success) values[name] = result.data;
    else {
      const message = result.error.issues.map((issue) => issue.message).join("; ");
      problems.push(`variable "${name}": ${JSON.stringify(value)} is not valid: ${message}`);
    }
  }
  return { values, problems };
}
