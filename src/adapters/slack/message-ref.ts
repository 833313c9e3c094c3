import { z } from "zod";

/** A posted Slack message as the Chat port's opaque MessageRef: `CHANNEL/TS` (no ':' for job ids). */
const Ref = z.string().regex(/^([A-Z0-9]+)\/([0-9]+\.[0-9]+)$/);

export function toMessageRef(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

export function parseMessageRef(ref: string): { channel: string; ts: string } {
  const parsed = Ref.safeParse(ref);
  if (!parsed.success) throw new Error(`not a Slack message reference: ${ref}`);
  const [channel = "", ts = ""] = parsed.data.split("/");
  return { channel, ts };
}
