import { fitMessage } from "./fit-message";
import { MAX_SECTION_TEXT, codeBlock, cutEnd } from "./limits";
import type { RenderedMessage } from "./types";

/**
 * A reply in the incident message's thread: a line of text and, for step output, the output in a
 * code block, capped to one section and keeping its end (the newest lines matter most).
 */
export function renderThreadReply(text: string, code?: string): RenderedMessage {
  // The text is the lifecycle's mrkdwn (it may mention people); only the output is untrusted.
  const head = cutEnd(text, MAX_SECTION_TEXT);
  const blocks: RenderedMessage["blocks"] = [
    { type: "section", text: { type: "mrkdwn", text: head } },
  ];
  if (code !== undefined && code !== "") {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: codeBlock(code) } });
  }
  return fitMessage({ text: cutEnd(text, 300), blocks });
}
