import {
  helpText,
  needsIncident,
  outsideIncidentText,
  parseIncidentCommand,
  type IncidentCommand,
} from "../../domain/incident-command";
import type { Incident } from "../../domain/incident";
import { addNote } from "../../app/add-note";
import { decideApproval } from "../../app/decide-approval";
import { declareIncident } from "../../app/declare-incident";
import type { LifecycleDeps } from "../../app/lifecycle-deps";
import { listIncidents } from "../../app/list-incidents";
import { mitigateIncident } from "../../app/mitigate-incident";
import { postStatusUpdate } from "../../app/post-status-update";
import { resolveIncident } from "../../app/resolve-incident";
import { runIncidentPlaybook } from "../../app/run-incident-playbook";
import { setCommander } from "../../app/set-commander";
import { showTimeline } from "../../app/show-timeline";
import { tickManualItem } from "../../app/tick-manual-item";
import type { UseCaseResult } from "../../app/use-case-result";
import type { ApprovalDecision, ShellBackend, ShellSession } from "./shell-repl";

/**
 * The shell's `/incident` listener: the shared parser, then one use case per command, exactly as
 * Slack's command listener does. Whatever the use case says back goes to the user alone
 * (ephemeral); everything the channel should see is announced by the workers from the timeline.
 */
export function shellBackend(deps: LifecycleDeps): ShellBackend {
  const tell = (who: ShellSession, text: string): Promise<void> =>
    deps.chat.postEphemeral(who.channel, who.user, text);

  /** A refused or failed use case becomes a reply to the user, never an exception. */
  async function answer<T>(
    who: ShellSession,
    result: UseCaseResult<T>,
    ok: (value: T) => string | null,
  ): Promise<void> {
    if (!result.ok) return tell(who, `${result.message} (${result.code})`);
    const text = ok(result.value);
    if (text !== null) await tell(who, text);
  }

  async function run(who: ShellSession, command: IncidentCommand): Promise<void> {
    const here = { channel: who.channel };
    switch (command.kind) {
      case "help":
        return tell(who, helpText());
      case "declare":
        return answer(
          who,
          await declareIncident(deps, {
            title: command.title,
            severity: command.severity,
            hosts: command.hosts,
            declaredBy: who.user,
          }),
          (declared) =>
            `Declared ${declared.incident.id}` +
            (declared.incident.channel ? ` in ${declared.incident.channel}` : "") +
            (declared.runSkipped ? `; checks not started: ${declared.runSkipped}` : ""),
        );
      case "run":
        return answer(
          who,
          await runIncidentPlaybook(deps, {
            incident: here,
            playbook: command.playbook,
            ...(command.phase ? { phase: command.phase } : {}),
            ...(command.hosts.length > 0 ? { hosts: command.hosts } : {}),
            by: who.user,
          }),
          (started) => `Started ${command.playbook} on ${started.hosts.join(", ")}`,
        );
      case "status":
        if (command.text === null) return showStatus(who);
        return answer(
          who,
          await postStatusUpdate(deps, { incident: here, text: command.text, by: who.user }),
          () => null,
        );
      case "commander":
        return answer(
          who,
          await setCommander(deps, { incident: here, commander: command.user, by: who.user }),
          () => null,
        );
      case "note":
        return answer(
          who,
          await addNote(deps, { incident: here, text: command.text, by: who.user }),
          () => "Noted.",
        );
      case "mitigated":
        return answer(
          who,
          await mitigateIncident(deps, { incident: here, by: who.user }),
          () => null,
        );
      case "resolve":
        return answer(
          who,
          await resolveIncident(deps, {
            incident: here,
            by: who.user,
            ...(command.summary ? { summary: command.summary } : {}),
          }),
          (resolved) => `Resolved ${resolved.incident.id}.`,
        );
      case "timeline":
        return showTimelineHere(who);
      case "list":
        return answer(who, await listIncidents(deps, { openOnly: true }), listText);
    }
  }

  async function showTimelineHere(who: ShellSession): Promise<void> {
    const view = await showTimeline(deps, { incident: { channel: who.channel } });
    if (!view.ok) return tell(who, `${view.message} (${view.code})`);
    await deps.chat.postMessage(
      who.channel,
      `timeline of ${view.value.incident.id} (${view.value.events.length} events):\n${view.value.text}`,
    );
  }

  async function showStatus(who: ShellSession): Promise<void> {
    const view = await showTimeline(deps, { incident: { channel: who.channel } });
    if (!view.ok) return tell(who, `${view.message} (${view.code})`);
    const { incident } = view.value;
    await tell(who, statusText(incident));
  }

  return {
    async incident(who, text) {
      const parsed = parseIncidentCommand(text);
      if (!parsed.ok) return tell(who, `${parsed.error}\n${parsed.usage}`);
      const { command } = parsed;
      if (needsIncident(command) && !(await deps.incidents.findByChannel(who.channel))) {
        return tell(who, outsideIncidentText(command.kind));
      }
      return run(who, command);
    },
    async decide(who, approvalId, decision: ApprovalDecision) {
      const result = await decideApproval(deps, {
        approvalId,
        decision: decision === "approve" ? "approved" : "denied",
        by: who.user,
      });
      // Success is announced to the channel from the timeline; a refusal is for the clicker only.
      if (!result.ok) await tell(who, `${result.message} (${result.code})`);
    },
    async tick(who, stepId) {
      const result = await tickManualItem(deps, {
        incident: { channel: who.channel },
        stepId,
        by: who.user,
      });
      await answer(who, result, (ticked) =>
        ticked.alreadyTicked ? "That item was already done." : null,
      );
    },
  };
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
