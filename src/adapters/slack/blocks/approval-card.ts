import { z } from "zod";
import { ApprovalId } from "../../../domain/approval";
import { IncidentId } from "../../../domain/incident";
import type { ApprovalCard } from "../../../ports/chat";
import { fitMessage } from "./fit-message";
import { MAX_SECTION_TEXT, codeBlock, cutEnd, escapeMrkdwn, mention } from "./limits";
import type { Block, RenderedMessage } from "./types";

export const APPROVE_ACTION = "approval-approve";
export const DENY_ACTION = "approval-deny";

/** What a button carries back; parsed with zod when the click arrives (the edge is Slack). */
export const ApprovalButtonValue = z.object({
  approvalId: ApprovalId,
  incidentId: IncidentId,
});
export type ApprovalButtonValue = z.infer<typeof ApprovalButtonValue>;

const headline: Record<ApprovalCard["state"], string> = {
  pending: ":raised_hand: *Approval needed*",
  approved: ":white_check_mark: *Approved*",
  denied: ":no_entry: *Denied*",
  expired: ":hourglass: *Expired*",
};

/**
 * The remediation request: what will run (the commands), where (the hosts), the precheck result,
 * and Approve / Deny buttons while pending. Once decided the buttons go and the card says who
 * decided and what happened (precheck, action, verification).
 */
export function renderApprovalCard(card: ApprovalCard): RenderedMessage {
  const hosts = escapeMrkdwn(card.hosts.join(", "));
  const blocks: Block[] = [
    section(
      `${headline[card.state]}: ${escapeMrkdwn(card.title)}\n*Hosts:* ${hosts}\n*Requested by* ${mention(card.requestedBy)}`,
    ),
    section(
      `*Command${card.commands.length === 1 ? "" : "s"}:*\n${codeBlock(card.commands.join("\n"), MAX_SECTION_TEXT - 40)}`,
    ),
    section(`*Precheck:* ${card.precheck ? escapeMrkdwn(card.precheck) : "_none_"}`),
  ];
  if (card.required > 1 || card.approvals.length > 0) blocks.push(approvalsBlock(card));
  if (card.state === "pending") {
    blocks.push(expiryContext(card.expiresAt), buttons(card));
  } else {
    blocks.push(decisionBlock(card));
  }
  if (card.outcome) blocks.push(section(`*Outcome:*\n${codeBlock(card.outcome)}`));
  const text = `${stripMarks(headline[card.state])}: ${escapeMrkdwn(card.title)} on ${hosts}`;
  return fitMessage({ text, blocks });
}

function buttons(card: ApprovalCard): Block {
  const value = JSON.stringify({ approvalId: card.approvalId, incidentId: card.incidentId });
  return {
    type: "actions",
    block_id: "approval",
    elements: [
      {
        type: "button",
        action_id: APPROVE_ACTION,
        style: "primary",
        text: { type: "plain_text", text: "Approve" },
        value,
        confirm: {
          title: { type: "plain_text", text: "Run the remediation?" },
          text: {
            type: "mrkdwn",
            text: cutEnd(`Runs on ${escapeMrkdwn(card.hosts.join(", "))} after its precheck.`, 300),
          },
          confirm: { type: "plain_text", text: "Approve" },
          deny: { type: "plain_text", text: "Cancel" },
        },
      },
      {
        type: "button",
        action_id: DENY_ACTION,
        style: "danger",
        text: { type: "plain_text", text: "Deny" },
        value,
      },
    ],
  };
}

/** Who approved so far and how many approvals are still needed (the two-person rule). */
function approvalsBlock(card: ApprovalCard): Block {
  const given = card.approvals.map((a) => mention(a.by)).join(", ") || "none yet";
  const left = Math.max(0, card.required - card.approvals.length);
  const needed = card.state === "pending" && left > 0 ? `; ${left} more needed` : "";
  return section(`*Approvals:* ${card.approvals.length} of ${card.required} (${given})${needed}`);
}

function decisionBlock(card: ApprovalCard): Block {
  const who = card.decidedBy ? ` by ${mention(card.decidedBy)}` : "";
  return { type: "context", elements: [{ type: "mrkdwn", text: `${card.state}${who}` }] };
}

function expiryContext(expiresAt: number): Block {
  const seconds = Math.floor(expiresAt / 1000);
  const fallback = new Date(expiresAt).toISOString();
  return {
    type: "context",
    elements: [{ type: "mrkdwn", text: `Expires <!date^${seconds}^{time}|${fallback}>` }],
  };
}

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: cutEnd(text, MAX_SECTION_TEXT) } };
}

function stripMarks(text: string): string {
  return text.replace(/:[a-z_]+: /, "").replace(/\*/g, "");
}
