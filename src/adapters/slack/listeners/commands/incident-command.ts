import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import {
  helpText,
  needsIncident,
  outsideIncidentText,
  parseIncidentCommand,
} from "../../../../domain/incident-command";
import type { MessageText } from "../../../../domain/message-text";
import { renderMrkdwnMessage, renderTextMessage } from "../../blocks/text-message";
import type { Reply, SlackIncidentService } from "../../incident-service";

export const INCIDENT_COMMAND = "/incident";

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/incident …`. Slack wants an answer within 3 seconds, so the listener acks before any I/O:
 * help and usage errors ride on the ack itself (ephemeral, no further call); everything else is
 * acked empty and then run, the reply going back through the command's response_url.
 */
export function incidentCommandListener(service: SlackIncidentService) {
  return async ({ command, ack, respond }: Args): Promise<void> => {
    // Slack escapes the text and writes mentions as `<@U…|name>` (should_escape in the manifest).
    const parsed = parseIncidentCommand(command.text, "slack");
    if (!parsed.ok) {
      await ack(ephemeral(`${parsed.error}\n${parsed.usage}`));
      return;
    }
    if (parsed.command.kind === "help") {
      await ack(ephemeral(helpText()));
      return;
    }
    await ack();
    const actor = { user: command.user_id, channel: command.channel_id };
    if (needsIncident(parsed.command) && !(await service.isIncidentChannel(actor.channel))) {
      await respond(ephemeral(outsideIncidentText(parsed.command.kind)));
      return;
    }
    try {
      await replyWith(respond, await service.command(actor, parsed.command));
    } catch (error) {
      // The person hears that it failed; the details go to the one error handler.
      await respond(
        privateMrkdwn(`:warning: \`/incident ${parsed.command.kind}\` failed; see the bot's log.`),
      );
      throw error;
    }
  };
}

export async function replyWith(respond: Args["respond"], reply: Reply): Promise<void> {
  if (reply) await respond(privateMrkdwn(reply.text));
}

/** A private answer with the domain's text (usage, help, errors quoting what was typed): escaped. */
export function ephemeral(text: MessageText) {
  return { response_type: "ephemeral" as const, ...renderTextMessage(text) };
}

/** A private answer this adapter composed in mrkdwn (it escaped whatever it quotes). */
function privateMrkdwn(markup: string) {
  return { response_type: "ephemeral" as const, ...renderMrkdwnMessage(markup) };
}
