import { z } from "zod";

/** "500ms", "20s", "5m", "1h" — the format of the playbook schema's Duration. */
const pattern = /^([0-9]+)(ms|s|m|h)$/;
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export const DurationText = z.string().regex(pattern, 'a duration such as "500ms", "20s" or "5m"');

/** Milliseconds of a duration text; throws on a malformed one (the schema has checked it). */
export function parseDuration(text: string): number {
  const match = pattern.exec(text);
  if (!match) throw new Error(`not a duration: "${text}"`);
  const unit = match[2] as keyof typeof unitMs;
  return Number(match[1]) * unitMs[unit];
}

/** "1500ms" → "1.5s": how durations are shown to people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}
