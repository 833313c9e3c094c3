/**
 * Field names whose values are never logged, at the top of an entry and two levels down (pino's
 * `redact` paths). The value guard below catches what a path cannot: a token inside a message.
 */
const SECRET_KEYS = [
  "token",
  "botToken",
  "appToken",
  "signingSecret",
  "secret",
  "password",
  "passphrase",
  "privateKey",
  "key",
  "authorization",
  "Authorization",
  "cookie",
];

export const REDACTED = "[redacted]";

export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** Slack tokens (bot, user, app, refresh, config) wherever they appear in a string. */
const SLACK_TOKEN = /\bx(?:ox[abprse]|app)-[A-Za-z0-9-]+/g;

/** A string with Slack tokens and the deployment's own secret values blanked out. */
export function redactText(text: string, secrets: readonly string[]): string {
  let safe = text.replace(SLACK_TOKEN, REDACTED);
  for (const secret of secrets) {
    if (secret.length >= 4) safe = safe.split(secret).join(REDACTED);
  }
  return safe;
}

/** A copy of a log argument with every string passed through redactText; errors become plain. */
export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redactText(value, secrets);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message, secrets),
      ...(value.stack ? { stack: redactText(value.stack, secrets) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    copy[key] = redactValue(item, secrets, depth + 1);
  return copy;
}
