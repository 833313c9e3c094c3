import { ShellSyntax } from "./shell-syntax";

/**
 * Command templates: `nc -z -w 3 {{ upstream_url | host }} {{ upstream_url | port }}`.
 *
 * A placeholder always becomes exactly one single-quoted shell word, so a value can never end the
 * word, start a command or expand anything. That only holds when the placeholder stands outside
 * any quoting of the template itself and where no shell reads the text again, so a placeholder
 * inside quotes, `${…}` or arithmetic (or right after `$`, which would make bash read `$'…'` as
 * an escape string) is refused when the playbook is validated, and so are constructs whose
 * quoting cannot be followed (see ShellSyntax).
 */

export const urlFilters = ["host", "port", "scheme", "path"] as const;
export type UrlFilter = (typeof urlFilters)[number];

type VarPart = { kind: "var"; name: string; filter: UrlFilter | null };
export type TemplatePart = { kind: "text"; text: string } | VarPart;

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Problems in operator's words; empty when the template is usable. */
  problems: string[];
}

const placeholderBody = /^([a-z][a-z0-9_]*)\s*(?:\|\s*([a-z][a-z0-9_-]*))?$/;

/**
 * Reads a template, following its shell syntax (domain/shell-syntax.ts) so that a placeholder
 * anywhere but in plain command text, and constructs whose quoting cannot be followed, are
 * refused.
 */
export function parseTemplate(text: string): ParsedTemplate {
  return readTemplate(text).parsed;
}

/** The template's parts and what its shell syntax shows (for checks that know the types). */
export function readTemplate(text: string): { parsed: ParsedTemplate; syntax: ShellSyntax } {
  const parts: TemplatePart[] = [];
  const problems: string[] = [];
  const syntax = new ShellSyntax();
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("{{", i)) {
      const end = text.indexOf("}}", i + 2);
      if (end < 0) {
        problems.push(`"{{" at character ${i + 1} is never closed with "}}"`);
        break;
      }
      const raw = text.slice(i, end + 2);
      const placeholder = readPlaceholder(raw, syntax, literal, problems);
      if (placeholder) {
        if (literal) parts.push({ kind: "text", text: literal });
        literal = "";
        parts.push(placeholder);
        syntax.placeholder(placeholder.name);
      }
      i = end + 2;
      continue;
    }
    const taken = syntax.read(text, i);
    literal += text.slice(i, i + taken);
    i += taken;
  }
  syntax.finish();
  if (literal) parts.push({ kind: "text", text: literal });
  return { parsed: { parts, problems: [...problems, ...syntax.problems] }, syntax };
}

function readPlaceholder(
  raw: string,
  syntax: ShellSyntax,
  before: string,
  problems: string[],
): VarPart | null {
  const body = raw.slice(2, -2).trim();
  const match = placeholderBody.exec(body);
  if (!match) {
    problems.push(`malformed placeholder ${raw}: write {{ name }} or {{ name | filter }}`);
    return null;
  }
  const name = match[1] ?? "";
  const filter = match[2];
  const misplaced = syntax.placeholderProblem(raw);
  if (misplaced) {
    problems.push(misplaced);
    return null;
  }
  if (before.endsWith("$")) {
    problems.push(`placeholder ${raw} follows "$": remove the "$", the value is inserted as it is`);
    return null;
  }
  if (filter !== undefined && !isUrlFilter(filter)) {
    problems.push(`unknown filter "${filter}" in ${raw} (known: ${urlFilters.join(", ")})`);
    return null;
  }
  return { kind: "var", name, filter: filter ?? null };
}

function isUrlFilter(name: string): name is UrlFilter {
  return (urlFilters as readonly string[]).includes(name);
}

/** The variables a template uses, with the filters applied to them. */
export function templateVariables(
  parsed: ParsedTemplate,
): { name: string; filter: UrlFilter | null }[] {
  return parsed.parts.flatMap((part) =>
    part.kind === "var" ? [{ name: part.name, filter: part.filter }] : [],
  );
}

/** One single-quoted shell word holding `value` literally (POSIX sh: `'` becomes `'\''`). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Applies a url filter to an already validated url value. */
export function applyUrlFilter(value: string, filter: UrlFilter): string {
  const url = new URL(value);
  switch (filter) {
    case "host":
      return url.hostname.replace(/^\[(.*)\]$/, "$1");
    case "port":
      return url.port || defaultPort(url.protocol);
    case "scheme":
      return url.protocol.replace(/:$/, "");
    case "path":
      return `${url.pathname}${url.search}`;
  }
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : "80";
}

export class TemplateRenderError extends Error {
  readonly code = "template-variable-missing";
  readonly retryable = false;
}

/** A value that would reach the command as an option: `-lkp` from `{{ url | host }}`. */
export class TemplateValueError extends Error {
  readonly code = "template-value-refused";
  readonly retryable = false;
}

/**
 * A placeholder's value, filter applied. Quoting keeps it one word, but a word starting with "-"
 * is still an option to most commands (`nc '-lkp' 80` listens), so none may start with one; the
 * variable types refuse such values earlier, this is the last word before a shell sees it.
 */
function placeholderValue(part: { name: string; filter: UrlFilter | null }, value: string): string {
  const text = part.filter ? applyUrlFilter(value, part.filter) : value;
  if (text.startsWith("-")) {
    const placeholder = part.filter ? `${part.name} | ${part.filter}` : part.name;
    throw new TemplateValueError(
      `variable "${placeholder}" starts with "-": the command would read it as an option, so it is refused`,
    );
  }
  return text;
}

/**
 * Renders a parsed template with validated values. Every value is shell-quoted; a missing value
 * is a programming error upstream (variables are resolved and checked before rendering), and a
 * value starting with "-" is refused (TemplateValueError).
 */
export function renderTemplate(parsed: ParsedTemplate, values: Record<string, string>): string {
  if (parsed.problems.length > 0) {
    throw new TemplateRenderError(`template is invalid: ${parsed.problems.join("; ")}`);
  }
  return parsed.parts
    .map((part) => {
      if (part.kind === "text") return part.text;
      const value = values[part.name];
      if (value === undefined) {
        throw new TemplateRenderError(`no value for variable "${part.name}"`);
      }
      return shellQuote(placeholderValue(part, value));
    })
    .join("");
}
