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
import type { Incident } from "../../domain/incident";
import { helpText, type IncidentCommand } from "../../domain/incident-command";
import { describeKeyFigures } from "../../domain/key-figures";
import { escapeMrkdwn, mention } from "./blocks/limits";

/** Who typed or clicked, and where. */
export interface SlackActor {
  user: string;
  channel: string;
}

/** What the person who typed the command sees, privately; null: nothing beyond the channel's view. */
export type Reply = { text: string } | null;

/**
 * What Slack's listeners need from the bot: one call per command or click. The listeners ack
 * first and parse; this runs the use case and says what to tell the person. Everything the
 * channel should see is announced by the workers from the timeline, never from here.
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
    command: (actor, command) => runCommand(deps, actor, command),
    async decide(actor, approvalId, decision) {
      const result = await decideApproval(deps, {
        approvalId,
        decision: decision === "approve" ? "approved" : "denied",
        by: actor.user,
      });
      // A decision is announced from the timeline (the card is updated); a refusal is private.
      return result.ok ? null : refusal(result);
    },
    async tick(actor, incidentId, stepId) {
      const result = await tickManualItem(deps, {
        incident: { incidentId },
        stepId,
        by: actor.user,
      });
      if (!result.ok) return refusal(result);
      return result.value.alreadyTicked ? { text: "That item was already done." } : null;
    },
  };
}

async function runCommand(
  deps: LifecycleDeps,
  actor: SlackActor,
  command: IncidentCommand,
): Promise<Reply> {
  const here = { channel: actor.channel };
  const by = actor.user;
  switch (command.kind) {
    case "help":
      return { text: helpText() };
    case "declare": {
      const result = await declareIncident(deps, {
        title: command.title,
        severity: command.severity,
        hosts: command.hosts,
        declaredBy: by,
      });
      return answer(result, ({ incident, runSkipped }) => ({
        text:
          `Declared *${escapeMrkdwn(incident.title)}* (${incident.severity}) as \`${incident.id}\`` +
          (incident.channel ? ` in <#${incident.channel}>` : "; its channel opens shortly") +
          (runSkipped ? `. Checks not started: ${runSkipped}` : ". Immediate checks are running."),
      }));
    }
    case "run":
      return answer(
        await runIncidentPlaybook(deps, {
          incident: here,
          playbook: command.playbook,
          ...(command.phase ? { phase: command.phase } : {}),
          ...(command.hosts.length > 0 ? { hosts: command.hosts } : {}),
          by,
        }),
        (started) => ({
          text: `Started \`${command.playbook}\` on ${escapeMrkdwn(started.hosts.join(", "))}.`,
        }),
      );
    case "status":
      if (command.text === null) return currentStatus(deps, actor);
      return answer(
        await postStatusUpdate(deps, { incident: here, text: command.text, by }),
        () => null,
      );
    case "commander":
      return answer(
        await setCommander(deps, { incident: here, commander: command.user, by }),
        () => null,
      );
    case "note":
      return answer(await addNote(deps, { incident: here, text: command.text, by }), () => ({
        text: "Noted in the timeline.",
      }));
    case "mitigated":
      return answer(await mitigateIncident(deps, { incident: here, by }), () => null);
    case "resolve":
      return answer(
        await resolveIncident(deps, {
          incident: here,
          by,
          ...(command.summary ? { summary: command.summary } : {}),
        }),
        ({ incident }) => ({
          text: `Resolved \`${incident.id}\`; the postmortem draft follows in the channel.`,
        }),
      );
    case "timeline":
      return postTimeline(deps, actor);
    case "list":
      return answer(await listIncidents(deps, { openOnly: true }), listReply);
  }
}

/** `timeline` is for everyone in the channel: posted there, not as a private reply. */
async function postTimeline(deps: LifecycleDeps, actor: SlackActor): Promise<Reply> {
  const view = await showTimeline(deps, { incident: { channel: actor.channel } });
  if (!view.ok) return refusal(view);
  const { incident, events, text } = view.value;
  await deps.chat.postMessage(
    actor.channel,
    `*Timeline of \`${incident.id}\`* (${events.length} events)\n${text}`,
  );
  return null;
}

async function currentStatus(deps: LifecycleDeps, actor: SlackActor): Promise<Reply> {
  const view = await showTimeline(deps, { incident: { channel: actor.channel } });
  if (!view.ok) return refusal(view);
  const { incident, figures } = view.value;
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

function answer<T>(result: UseCaseResult<T>, ok: (value: T) => Reply): Reply {
  return result.ok ? ok(result.value) : refusal(result);
}

function refusal(result: { code: string; message: string }): Reply {
  return { text: `:no_entry_sign: ${result.message}` };
}
