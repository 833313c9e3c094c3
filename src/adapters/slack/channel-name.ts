/**
 * Slack channel names: lower-case letters, digits, '-' and '_', at most 80 characters. A taken
 * name gets `-2`, `-3`… and the base is shortened so the suffix still fits.
 */
export const MAX_CHANNEL_NAME = 80;

export function slackChannelName(wanted: string): string {
  const cleaned = wanted
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
  return (cleaned || "incident").slice(0, MAX_CHANNEL_NAME).replace(/[-_]+$/, "");
}

export function withSuffix(base: string, attempt: number): string {
  if (attempt <= 1) return base;
  const suffix = `-${attempt}`;
  return `${base.slice(0, MAX_CHANNEL_NAME - suffix.length).replace(/[-_]+$/, "")}${suffix}`;
}
