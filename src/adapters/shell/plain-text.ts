/**
 * The use cases write Slack mrkdwn (`<@U1>`, `<#C1|name>`, `<url|label>`, `*bold*`); a terminal
 * shows it as plain text so the same message reads naturally in both.
 */
export function plainText(text: string): string {
  return (
    text
      .replace(/<@([A-Za-z0-9._-]+)(?:\|[^<>]*)?>/g, "@$1")
      .replace(/<#[A-Za-z0-9]+\|([^<>]+)>/g, "#$1")
      .replace(/<#([^<>|]+)>/g, "$1")
      .replace(/<!(here|channel|everyone)>/g, "@$1")
      .replace(/<((?:https?|mailto):[^<>|]+)\|([^<>]+)>/g, "$2 ($1)")
      .replace(/<((?:https?|mailto):[^<>|]+)>/g, "$1")
      // *bold* and _italic_ around whole words; a lone * or snake_case stays as typed.
      .replace(/(^|[\s(])\*([^*\s](?:[^*\n]*?[^*\s])?)\*(?=$|[\s).,:;!?])/gm, "$1$2")
      .replace(/(^|[\s(])_([^_\s](?:[^_\n]*?[^_\s])?)_(?=$|[\s).,:;!?])/gm, "$1$2")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&")
  );
}
