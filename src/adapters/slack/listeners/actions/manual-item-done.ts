import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { ManualItemValue } from "../../blocks/incident-card";
import type { SlackIncidentService } from "../../incident-service";

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * Done on a manual checklist item of the incident card (the long-term follow-ups). The tick is a
 * timeline event; the card refresh shows it. Only problems are answered, privately.
 */
export function manualItemDoneListener(service: SlackIncidentService) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    const value = parseValue(action.value);
    const answer = (text: string) =>
      respond({ response_type: "ephemeral", replace_original: false, text });
    if (!value) {
      await answer("That button is not one of this bot's checklist buttons.");
      return;
    }
    const channel = body.channel?.id ?? body.container?.channel_id ?? "";
    const reply = await service.tick(
      { user: body.user.id, channel },
      value.incidentId,
      value.stepId,
    );
    if (reply) await answer(reply.text);
  };
}

function parseValue(raw: string | undefined): ManualItemValue | null {
  try {
    const parsed = ManualItemValue.safeParse(JSON.parse(raw ?? ""));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}
