import type { MessageText } from "../../../domain/message-text";
import { fitMessage } from "./fit-message";
import { MAX_BLOCKS, MAX_MESSAGE_TEXT, chunkLines, cutEnd, mrkdwn } from "./limits";
import type { RenderedMessage } from "./types";

/**
 * A plain channel message (status updates, phase changes, the timeline, the resolve summary,
 * private replies). The lifecycle's text is rendered with `mrkdwn`, so whatever it quotes is
 * escaped; `renderMrkdwnMessage` takes mrkdwn the Slack adapter composed itself (its replies,
 * which escape what they quote). Long text becomes several sections and whatever is beyond
 * Slack's limits is cut with a marker.
 */
export function renderTextMessage(text: MessageText): RenderedMessage {
  return renderMrkdwnMessage(mrkdwn(text));
}

export function renderMrkdwnMessage(markup: string): RenderedMessage {
  const capped = cutEnd(markup, MAX_MESSAGE_TEXT);
  const chunks = chunkLines(capped.split("\n"));
  const blocks: RenderedMessage["blocks"] = chunks.map((chunk) => ({
    type: "section",
    text: { type: "mrkdwn", text: chunk },
  }));
  if (blocks.length > MAX_BLOCKS) return fitMessage({ text: capped, blocks });
  return { text: cutEnd(capped, 3000), blocks };
}
