import type { MessageText } from "../../../domain/message-text";
import { fitMessage } from "./fit-message";
import { MAX_SECTION_TEXT, codeBlock, cutEnd, mrkdwn } from "./limits";
import type { RenderedMessage } from "./types";

/**
 * A reply in the incident message's thread: a line of text and, for step output, the output in a
 * code block, capped to one section and keeping its end (the newest lines matter most). Both are
 * escaped: the line quotes step names and reasons, the output is whatever the host printed.
 */
export function renderThreadReply(text: MessageText, code?: string): RenderedMessage {
  const head = cutEnd(mrkdwn(text), MAX_SECTION_TEXT);
  const blocks: RenderedMessage["blocks"] = [
    { type: "section", text: { type: "mrkdwn", text: head } },
  ];
  if (code !== undefined && code !== "") {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: codeBlock(code) } });
  }
  return fitMessage({ text: cutEnd(head, 300), blocks });
}
