import {
  handleApprovalClick,
  handleManualTick,
  type ActionOutcome,
} from "../../app/handle-chat-action";
import { handleIncidentCommand, type CommandOutcome } from "../../app/handle-incident-command";
import type { LifecycleDeps } from "../../app/lifecycle-deps";
import type { TimelineView } from "../../app/show-timeline";
import type { Incident } from "../../domain/incident";
import type { IncidentCommand } from "../../domain/incident-command";
import { describeKeyFigures } from "../../domain/key-figures";
import type { Chat } from "../../ports/chat";
import { joinMessages, strong, type MessageText } from "../../domain/message-text";
import { escapeMrkdwn, mention, mrkdwn } from "./blocks/limits";

/** Who typed or clicked, and where. */
export interface SlackActor {
  user: string;
  channel: string;
}

/**
 * What the person who typed the command sees, privately; null: nothing beyond the channel's view.
 * `text` is mrkdwn composed here, and every value it quotes goes through escapeMrkdwn or mention.
 */
export type Reply = { text: string } | null;

/**
 * What Slack's listeners need from the bot: one call per command or click. The listeners ack
 * first and parse; the shared handlers in app/ run the use case; this renders the outcome in
 * mrkdwn. Everything the channel should see is announced by the workers from the timeline.
 */
export interface SlackIncidentService {
  isIncidentChannel(channel: string): Promise<boolean>;
  command(actor: SlackActor, command: IncidentCommand): Promise<Reply>;
  decide(actor: SlackActor, approvalId: string, decision: "approve" | "deny"): Promise<Reply>;
  tick(actor: SlackActor, incidentId: string, stepId: string): Promise<Reply>;
}

/** The service over the lifecycle's use cases (main.ts passes its LifecycleDeps). */
export function slackIncidentService(deps: LifecycleDeps): SlackIncidentService {
  return {
    async isIncidentChannel(channel) {
      return (await deps.incidents.findByChannel(channel)) !== null;
    },
    async command(actor, command) {
      const result = await handleIncidentCommand(deps, { command, ...actor });
      return renderCommand(deps.chat, actor, result);
    },
    async decide(actor, approvalId, decision) {
      return renderAction(
        await handleApprovalClick(deps, { approvalId, decision, user: actor.user }),
      );
    },
    async tick(actor, incidentId, stepId) {
      return renderAction(
        await handleManualTick(deps, { incident: { incidentId }, stepId, user: actor.user }),
      );
    },
  };
}

async function renderCommand(
  chat: Chat,
  actor: SlackActor,
  result: CommandOutcome,
): Promise<Reply> {
  switch (result.kind) {
    case "refused":
      return refusal(result.message);
    case "help":
    case "outside-incident":
      return { text: mrkdwn(result.text) };
    case "declared": {
      const { incident, runSkipped } = result;
      return {
        text:
          `Declared *${escapeMrkdwn(incident.title)}* (${incident.severity}) as \`${incident.id}\`` +
          (incident.channel ? ` in <#${incident.channel}>` : "; its channel opens shortly") +
          (runSkipped
            ? `. Checks not started: ${escapeMrkdwn(runSkipped)}`
            : ". Immediate checks are running."),
      };
    }
    case "started":
      return {
        text: `Started \`${result.playbook}\` on ${escapeMrkdwn(result.hosts.join(", "))}.${escapeMrkdwn(leftOutNote(result.leftOut))}`,
      };
    case "noted":
      return { text: "Noted in the timeline." };
    case "resolved":
      return {
        text: `Resolved \`${result.incident.id}\`; the postmortem draft follows in the channel.`,
      };
    case "current-status":
      return currentStatus(result.view);
    case "timeline":
      // `timeline` is for everyone in the channel: posted there, not as a private reply.
      await chat.postMessage(actor.channel, timelineText(result.view));
      return null;
    case "incidents":
      return listReply(result.incidents);
    case "done":
      return null;
  }
}

function renderAction(result: ActionOutcome): Reply {
  switch (result.kind) {
    case "refused":
      return refusal(result.message);
    case "already-done":
      return { text: "That item was already done." };
    case "done":
      // A decision or tick is announced from the timeline (the card is updated).
      return null;
  }
}

function timelineText({ incident, events, text }: TimelineView): MessageText {
  return joinMessages(
    [[strong(`Timeline of ${incident.id}`), ` (${events.length} events)`], text],
    "\n",
  );
}

function currentStatus({ incident, figures }: TimelineView): Reply {
  return {
    text: [
      `*${escapeMrkdwn(incident.title)}* is ${incident.state}, ${incident.phase} phase, ` +
        `commander ${incident.commander ? mention(incident.commander) : "unassigned"}.`,
      ...describeKeyFigures(figures),
    ].join("\n"),
  };
}

function listReply(incidents: Incident[]): Reply {
  if (incidents.length === 0) return { text: "No open incidents." };
  const lines = incidents.map(
    (i) =>
      `• \`${i.id}\` ${i.severity} ${i.state} *${escapeMrkdwn(i.title)}*` +
      (i.channel ? ` in <#${i.channel}>` : ""),
  );
  return { text: [`*Open incidents (${incidents.length})*`, ...lines].join("\n") };
}

function refusal(message: string): Reply {
  return { text: `:no_entry_sign: ${escapeMrkdwn(message)}` };
}

/** Which of the incident's hosts a playbook of another proxy kind did not run on. */
function leftOutNote(leftOut: readonly { name: string; kind: string }[]): string {
  if (leftOut.length === 0) return "";
  const named = leftOut.map((h) => `${h.name} (${h.kind})`).join(", ");
  return ` Not on ${named}: each runs its own kind's playbook.`;
}
