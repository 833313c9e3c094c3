/**
 * What the bot says, as data rather than markup. A string part is plain text, shown exactly as
 * written whoever wrote it (a title, a note, a log line, a host name); a person is a user id the
 * bot itself validated and means to name; strong is emphasis. Each surface renders the parts in
 * its own markup and escapes every string, so nothing a person or a host wrote can become markup,
 * a mention or a link there.
 */
export type TextPart =
  | string
  | { person: string }
  | { strong: string }
  /** A link the bot means to give (an alert's page): the URL is checked, the label is text. */
  | { link: string; label: string };

/** A whole message: one plain string, or parts (line breaks are "\n" inside strings). */
export type MessageText = string | readonly TextPart[];

export const personNamed = (id: string): TextPart => ({ person: id });
export const strong = (text: string): TextPart => ({ strong: text });
export const linkTo = (url: string, label: string): TextPart => ({ link: url, label });

/** Only absolute http(s) URLs become links; anything else (javascript:, spaces) stays text. */
export function isLinkable(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url);
}

export function textParts(text: MessageText): readonly TextPart[] {
  return typeof text === "string" ? [text] : text;
}

/** The message as plain text, people written as `@id` (or as `name` says). */
export function plainMessage(text: MessageText, name = (id: string) => `@${id}`): string {
  return textParts(text)
    .map((part) => {
      if (typeof part === "string") return part;
      if ("person" in part) return name(part.person);
      if ("link" in part)
        return isLinkable(part.link) ? `${part.label} (${part.link})` : part.label;
      return part.strong;
    })
    .join("");
}

/** Joins messages with a separator (e.g. "\n"), keeping their parts. */
export function joinMessages(texts: readonly MessageText[], separator: string): TextPart[] {
  return texts.flatMap((text, i) =>
    i === 0 ? [...textParts(text)] : [separator, ...textParts(text)],
  );
}
