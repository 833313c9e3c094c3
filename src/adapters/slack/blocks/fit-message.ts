import { CUT_MARKER, MAX_BLOCKS, MAX_FALLBACK_TEXT, cutEnd } from "./limits";
import type { Block, RenderedMessage } from "./types";

/**
 * The last line of defence before a message leaves: at most 50 blocks (the last kept ones say that
 * the rest was cut) and fallback text within bounds. Renderers already cut their own sections.
 */
export function fitMessage(message: RenderedMessage): RenderedMessage {
  const text = cutEnd(message.text, MAX_FALLBACK_TEXT);
  if (message.blocks.length <= MAX_BLOCKS) return { text, blocks: message.blocks };
  const dropped = message.blocks.length - (MAX_BLOCKS - 1);
  const kept = message.blocks.slice(0, MAX_BLOCKS - 1);
  const notice: Block = {
    type: "context",
    elements: [{ type: "mrkdwn", text: `${CUT_MARKER} ${dropped} more blocks not shown` }],
  };
  return { text, blocks: [...kept, notice] };
}
