import type { types } from "@slack/bolt";

export type Block = types.KnownBlock;

/** What a renderer returns: the blocks and the fallback text notifications and screen readers use. */
export interface RenderedMessage {
  text: string;
  blocks: Block[];
}
