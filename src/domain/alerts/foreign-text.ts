import { linkTo, type TextPart } from "../message-text";

/**
 * Text an alerting tool sent (titles, labels), cut to one line of reasonable length. It stays
 * plain text: each chat surface escapes it, so `<!channel>`, `<@U…>` or `<http://x|y>` inside an
 * alert are shown, never obeyed.
 */
export function alertLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A link back to the alert when it came with a URL (the surface checks it is http(s)). */
export function alertLink(url: string | null, label: string): TextPart {
  return url === null ? alertLine(label) : linkTo(url, alertLine(label));
}
