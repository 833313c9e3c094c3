import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { ApprovalButtonValue } from "../../blocks/approval-card";
import type { SlackIncidentService } from "../../incident-service";

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * Approve / Deny on an approval card. Acked at once; the value is parsed with zod (it comes back
 * from Slack, so it is input like any other). A refusal (not an approver, already decided,
 * expired) goes to the clicker alone; a decision is announced by updating the card.
 */
export function approvalButtonListener(
  service: SlackIncidentService,
  decision: "approve" | "deny",
) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    const value = parseValue(action.value);
    if (!value) {
      await respond(privately("That button is not one of this bot's approval buttons."));
      return;
    }
    const channel = body.channel?.id ?? body.container?.channel_id ?? "";
    const reply = await service.decide({ user: body.user.id, channel }, value.approvalId, decision);
    if (reply) await respond(privately(reply.text));
  };
}

function parseValue(raw: string | undefined): ApprovalButtonValue | null {
  try {
    const parsed = ApprovalButtonValue.safeParse(JSON.parse(raw ?? ""));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** An ephemeral answer that leaves the card itself alone. */
function privately(text: string) {
  return { response_type: "ephemeral" as const, replace_original: false, text };
}
