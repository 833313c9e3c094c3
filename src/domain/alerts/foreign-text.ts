/**
 * Text an alerting tool sent (titles, labels, links) shown in chat: the three characters Slack's
 * mrkdwn gives meaning to are escaped, so `<!channel>`, `<@U…>` or `<http://x|y>` inside an alert
 * stay text; and it is cut to one line of reasonable length.
 */
export function foreignText(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return cut.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A link back to the alert as mrkdwn `<url|label>`, only for an absolute http(s) URL; `|` and `>`
 * in it are percent-encoded so the URL cannot end the link early, and the label is foreign text.
 * Anything else is shown as text.
 */
export function foreignLink(url: string | null, label: string): string {
  if (url === null || !/^https?:\/\/[^\s]+$/i.test(url)) return foreignText(label);
  const safeUrl = url
    .replace(/&/g, "&amp;")
    .replace(/</g, "%3C")
    .replace(/>/g, "%3E")
    .replace(/\|/g, "%7C");
  return `<${safeUrl}|${foreignText(label).replace(/\|/g, "¦")}>`;
}
