/**
 * HTML built so that text cannot become markup: every value put into the `html` template is
 * escaped (`& < > " '`, so it is safe between tags and inside quoted attributes alike) unless it
 * is already SafeHtml, which only this template and `raw` make. The renderers never concatenate
 * strings into markup by hand.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue =
  string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function valueHtml(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return escapeHtml(value);
  let out = "";
  for (const item of value) out += valueHtml(item);
  return out;
}

/**
 * The template's own text is formatted for reading (the formatter indents it like HTML); the
 * line breaks and indentation between its tags are dropped once per template, so a page of
 * thousands of rows does not carry them. Only the bot's constant text is touched, never a value:
 * a `<pre>`'s content always comes in as a value.
 */
const compacted = new WeakMap<TemplateStringsArray, readonly string[]>();

function compact(strings: TemplateStringsArray): readonly string[] {
  let done = compacted.get(strings);
  if (!done) {
    done = strings.map((s) => s.replace(/>\n\s*</g, "><").replace(/\n\s*/g, " "));
    compacted.set(strings, done);
  }
  return done;
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  const parts = compact(strings);
  let out = parts[0] ?? "";
  for (let i = 0; i < values.length; i++) out += valueHtml(values[i]) + (parts[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Markup the bot itself wrote as a constant (the stylesheet, the script): never foreign text. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
