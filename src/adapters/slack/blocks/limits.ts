import { isLinkable, textParts, type MessageText } from "../../../domain/message-text";

/**
 * Slack's documented limits, and the helpers that keep every rendered message inside them: a
 * message Slack refuses (invalid_blocks, msg_too_long) is a message lost, so renderers cut with a
 * visible marker instead.
 */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_FIELD_TEXT = 2000;
export const MAX_HEADER_TEXT = 150;
export const MAX_MESSAGE_TEXT = 40000;
export const MAX_BUTTON_VALUE = 2000;
/** Fallback text Slack shows in notifications; keep it short. */
export const MAX_FALLBACK_TEXT = 3000;

export const CUT_MARKER = "…(cut)";

/** Cuts `text` to `max` characters, keeping the start and saying it was cut. */
export function cutEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - CUT_MARKER.length))}${CUT_MARKER}`;
}

/** Cuts `text` to `max` characters, keeping the end (the newest log lines). */
export function cutStart(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `${CUT_MARKER}\n`;
  return `${marker}${text.slice(text.length - Math.max(0, max - marker.length))}`;
}

/**
 * The one escaping rule for text the bot did not write (titles, notes, host output, log lines,
 * names): Slack's own `&amp; &lt; &gt;`, so it cannot ping `<!channel>`, mention `<@U…>` or fake
 * a link `<https://…|…>`. Slack decodes the three entities in every text field (mrkdwn,
 * plain_text, topics, purposes, the fallback text), so the text reads exactly as written.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The lifecycle's message as mrkdwn: every string escaped, the people it names as mentions, the
 * emphasis it asks for in bold. The only way markup gets into a message the lifecycle wrote.
 */
export function mrkdwn(text: MessageText): string {
  return textParts(text)
    .map((part) => {
      if (typeof part === "string") return escapeMrkdwn(part);
      if ("person" in part) return mention(part.person);
      if ("link" in part) return slackLink(part.link, part.label);
      return part.strong === "" ? "" : `*${escapeMrkdwn(part.strong)}*`;
    })
    .join("");
}

/**
 * `<url|label>` for an absolute http(s) URL: `&` is escaped and `<`, `>`, `|` percent-encoded so
 * the URL cannot end the link early; the label is escaped text with `|` replaced. Anything else is
 * shown as its label, escaped.
 */
function slackLink(url: string, label: string): string {
  if (!isLinkable(url)) return escapeMrkdwn(label);
  const safeUrl = url
    .replace(/&/g, "&amp;")
    .replace(/</g, "%3C")
    .replace(/>/g, "%3E")
    .replace(/\|/g, "%7C");
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
}

/**
 * A fenced code block whose content fits in one section, escaped like any other text (Slack
 * decodes the entities inside code too, so the output reads as the host wrote it, and no `<…>`
 * in it is ever taken for a mention or a link); backticks in the output are broken.
 */
export function codeBlock(code: string, max = MAX_SECTION_TEXT - 8): string {
  const safe = escapeMrkdwn(code).replace(/```/g, "`\u200b``");
  return "```" + cutStart(safe, max) + "```";
}

/** `<@U123>` for Slack user ids, the name itself otherwise (the bot, shell names). */
export function mention(user: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

/**
 * Splits long mrkdwn into section-sized chunks at line breaks, so a long list becomes several
 * sections rather than one Slack refuses.
 */
export function chunkLines(lines: readonly string[], max = MAX_SECTION_TEXT): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = cutEnd(raw, max);
    if (current !== "" && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current === "" ? line : `${current}\n${line}`;
    }
  }
  if (current !== "") chunks.push(current);
  return chunks;
}
