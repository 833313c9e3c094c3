/**
 * Command templates: `nc -z -w 3 {{ upstream_url | host }} {{ upstream_url | port }}`.
 *
 * A placeholder always becomes exactly one single-quoted shell word, so a value can never end the
 * word, start a command or expand anything. That only holds when the placeholder stands outside
 * any quoting of the template itself, so a placeholder inside quotes (or right after `$`, which
 * would make bash read `$'…'` as an escape string) is refused when the playbook is validated.
 */

export const urlFilters = ["host", "port", "scheme", "path"] as const;
export type UrlFilter = (typeof urlFilters)[number];

export type TemplatePart =
  { kind: "text"; text: string } | { kind: "var"; name: string; filter: UrlFilter | null };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Problems in operator's words; empty when the template is usable. */
  problems: string[];
}

const placeholderBody = /^([a-z][a-z0-9_]*)\s*(?:\|\s*([a-z][a-z0-9_-]*))?$/;

type QuoteState = "none" | "single" | "double";

/** Reads a template, tracking shell quoting so placeholders inside quotes can be refused. */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const problems: string[] = [];
  let quote: QuoteState = "none";
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
      const placeholder = readPlaceholder(raw, quote, literal, problems);
      if (placeholder) {
        if (literal) parts.push({ kind: "text", text: literal });
        literal = "";
        parts.push(placeholder);
      }
      i = end + 2;
      continue;
    }
    const char = text[i] ?? "";
    quote = nextQuoteState(quote, char);
    if (char === "\\" && quote !== "single" && i + 1 < text.length) {
      literal += char + (text[i + 1] ?? "");
      i += 2;
      continue;
    }
    literal += char;
    i += 1;
  }
  if (literal) parts.push({ kind: "text", text: literal });
  return { parts, problems };
}

function nextQuoteState(quote: QuoteState, char: string): QuoteState {
  if (quote === "none" && char === "'") return "single";
  if (quote === "none" && char === '"') return "double";
  if (quote === "single" && char === "'") return "none";
  if (quote === "double" && char === '"') return "none";
  return quote;
}

function readPlaceholder(
  raw: string,
  quote: QuoteState,
  before: string,
  problems: string[],
): TemplatePart | null {
  const body = raw.slice(2, -2).trim();
  const match = placeholderBody.exec(body);
  if (!match) {
    problems.push(`malformed placeholder ${raw}: write {{ name }} or {{ name | filter }}`);
    return null;
  }
  const name = match[1] ?? "";
  const filter = match[2];
  if (quote !== "none") {
    problems.push(
      `placeholder ${raw} is inside quotes: values are quoted for you, remove the quotes`,
    );
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
