import {
  handleApprovalClick,
  handleManualTick,
  type ActionOutcome,
} from "../../app/handle-chat-action";
import { handleIncidentCommand, type CommandOutcome } from "../../app/handle-incident-command";
import type { LifecycleDeps } from "../../app/lifecycle-deps";
import type { Incident } from "../../domain/incident";
import { parseIncidentCommand } from "../../domain/incident-command";
import type { ShellBackend, ShellSession } from "./shell-repl";

/**
 * The shell's `/incident` listener: the shared parser and the shared handler in app/, exactly as
 * Slack's command listener does; only the wording is the terminal's (plain text). Whatever the
 * use case says back goes to the user alone (ephemeral); everything the channel should see is
 * announced by the workers from the timeline.
 */
export function shellBackend(deps: LifecycleDeps): ShellBackend {
  const tell = (who: ShellSession, text: string | null): Promise<void> =>
    text === null ? Promise.resolve() : deps.chat.postEphemeral(who.channel, who.user, text);

  async function render(who: ShellSession, result: CommandOutcome): Promise<void> {
    if (result.kind !== "timeline") return tell(who, commandText(result));
    // `timeline` is for everyone in the channel: posted there, not as a private reply.
    const { incident, events, text } = result.view;
    await deps.chat.postMessage(who.channel, [
      `timeline of ${incident.id} (${events.length} events):\n`,
      ...text,
    ]);
  }

  return {
    async incident(who, text) {
      const parsed = parseIncidentCommand(text);
      if (!parsed.ok) return tell(who, `${parsed.error}\n${parsed.usage}`);
      await render(who, await handleIncidentCommand(deps, { command: parsed.command, ...who }));
    },
    async decide(who, approvalId, decision) {
      await tell(
        who,
        actionText(await handleApprovalClick(deps, { approvalId, decision, user: who.user })),
      );
    },
    async tick(who, stepId) {
      const result = await handleManualTick(deps, {
        incident: { channel: who.channel },
        stepId,
        user: who.user,
      });
      await tell(who, actionText(result));
    },
  };
}

/** The private reply to a command, or null when the channel's announcement says it all. */
function commandText(result: Exclude<CommandOutcome, { kind: "timeline" }>): string | null {
  switch (result.kind) {
    case "refused":
      return `${result.message} (${result.code})`;
    case "help":
    case "outside-incident":
      return result.text;
    case "declared":
      return (
        `Declared ${result.incident.id}` +
        (result.incident.channel ? ` in ${result.incident.channel}` : "") +
        (result.runSkipped ? `; checks not started: ${result.runSkipped}` : "")
      );
    case "started":
      return `Started ${result.playbook} on ${result.hosts.join(", ")}${result.leftOut.length ? `; not on ${result.leftOut.map((h) => `${h.name} (${h.kind})`).join(", ")}: each runs its own kind's playbook` : ""}`;
    case "noted":
      return "Noted.";
    case "resolved":
      return `Resolved ${result.incident.id}.`;
    case "current-status":
      return statusText(result.view.incident);
    case "incidents":
      return listText(result.incidents);
    case "done":
      return null;
  }
}

function actionText(result: ActionOutcome): string | null {
  switch (result.kind) {
    case "refused":
      return `${result.message} (${result.code})`;
    case "already-done":
      return "That item was already done.";
    case "done":
      // Success is announced to the channel from the timeline.
      return null;
  }
}

function listText(incidents: Incident[]): string {
  if (incidents.length === 0) return "No open incidents.";
  return incidents
    .map(
      (i) =>
        `${i.id} ${i.severity} ${i.state} "${i.title}"` + (i.channel ? ` in ${i.channel}` : ""),
    )
    .join("\n");
}

function statusText(incident: Incident): string {
  return (
    `${incident.id} is ${incident.state}, phase ${incident.phase}, ` +
    `commander ${incident.commander ?? "none"}` +
    (incident.summary ? `: ${incident.summary}` : "")
  );
}
