import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import { helpText } from "../../../../domain/incident-command";
import { mrkdwn } from "../../blocks/limits";

/** `@incident-bot` in a channel: the bot answers in the thread with what it understands. */
export function appMentionListener() {
  return async ({ event, say }: SlackEventMiddlewareArgs<"app_mention"> & AllMiddlewareArgs) => {
    await say({ text: mrkdwn(helpText()), thread_ts: event.thread_ts ?? event.ts });
  };
}
