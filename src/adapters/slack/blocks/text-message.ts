import { fitMessage } from "./fit-message";
import { MAX_BLOCKS, MAX_MESSAGE_TEXT, chunkLines, cutEnd } from "./limits";
import type { RenderedMessage } from "./types";

/**
 * A plain channel message (status updates, phase changes, the timeline, the resolve summary). The
 * text is the lifecycle's own mrkdwn, so it is not escaped; long text becomes several sections and
 * whatever is beyond Slack's limits is cut with a marker.
 */
export function renderTextMessage(text: string): RenderedMessage {
  const capped = cutEnd(text, MAX_MESSAGE_TEXT);
  const chunks = chunkLines(capped.split("\n"));
  const blocks: RenderedMessage["blocks"] = chunks.map((chunk) => ({
    type: "section",
    text: { type: "mrkdwn", text: chunk },
  }));
  if (blocks.length > MAX_BLOCKS) return fitMessage({ text: capped, blocks });
  return { text: cutEnd(capped, 3000), blocks };
}
