import type { Incident } from "../domain/incident";
import {
  helpText,
  needsIncident,
  outsideIncidentText,
  type IncidentCommand,
} from "../domain/incident-command";
import { addNote } from "./add-note";
import { changeSeverity } from "./change-severity";
import { declareIncident } from "./declare-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { listIncidents } from "./list-incidents";
import { mitigateIncident } from "./mitigate-incident";
import { postStatusUpdate } from "./post-status-update";
import { resolveIncident } from "./resolve-incident";
import { runIncidentPlaybook } from "./run-incident-playbook";
import { setCommander } from "./set-commander";
import { showTimeline, type TimelineView } from "./show-timeline";
import type { UseCaseErrorCode, UseCaseResult } from "./use-case-result";

/** Who typed the command, and in which channel (Slack's user_id and channel_id, or the shell's). */
export interface CommandContext {
  command: IncidentCommand;
  user: string;
  channel: string;
}

/** A use case said no: the adapter tells the person why, privately. */
export interface Refused {
  kind: "refused";
  code: UseCaseErrorCode;
  message: string;
}

/**
 * What came of a command, for the adapter to render in its own markup. Everything the channel
 * should see is announced by the workers from the timeline; these are for the person who typed,
 * except `timeline`, which the adapter posts to the channel.
 */
export type CommandOutcome =
  | Refused
  | { kind: "help"; text: string }
  | { kind: "outside-incident"; text: string }
  | { kind: "declared"; incident: Incident; runSkipped: string | null }
  | {
      kind: "started";
      playbook: string;
      hosts: string[];
      /** Hosts of the incident of another proxy kind than the playbook's. */
      leftOut: { name: string; kind: string }[];
    }
  | { kind: "noted" }
  | { kind: "resolved"; incident: Incident }
  | { kind: "current-status"; view: TimelineView }
  | { kind: "timeline"; view: TimelineView }
  | { kind: "incidents"; incidents: Incident[] }
  /** Done, and the channel's announcement says it all. */
  | { kind: "done" };

/**
 * One parsed `/incident …` command → one use case. Slack's service and the shell's backend both
 * call this, so a command behaves the same in both and only the wording of the reply differs.
 */
export async function handleIncidentCommand(
  deps: LifecycleDeps,
  { command, user, channel }: CommandContext,
): Promise<CommandOutcome> {
  const refusal = operatorRefusal(deps, command, user);
  if (refusal) return refusal;
  if (needsIncident(command) && !(await deps.incidents.findByChannel(channel))) {
    return { kind: "outside-incident", text: outsideIncidentText(command.kind) };
  }
  const here = { channel };
  const by = user;
  switch (command.kind) {
    case "help":
      return { kind: "help", text: helpText() };
    case "declare":
      return outcome(
        await declareIncident(deps, {
          title: command.title,
          severity: command.severity,
          hosts: command.hosts,
          declaredBy: by,
        }),
        ({ incident, runSkipped }) => ({ kind: "declared", incident, runSkipped }),
      );
    case "run":
      return outcome(
        await runIncidentPlaybook(deps, {
          incident: here,
          playbook: command.playbook,
          ...(command.phase ? { phase: command.phase } : {}),
          ...(command.hosts.length > 0 ? { hosts: command.hosts } : {}),
          by,
        }),
        ({ hosts, leftOut }) => ({ kind: "started", playbook: command.playbook, hosts, leftOut }),
      );
    case "status":
      if (command.text === null) {
        return outcome(await showTimeline(deps, { incident: here }), (view) => ({
          kind: "current-status",
          view,
        }));
      }
      return outcome(await postStatusUpdate(deps, { incident: here, text: command.text, by }));
    case "commander":
      return outcome(await setCommander(deps, { incident: here, commander: command.user, by }));
    case "severity":
      return outcome(
        await changeSeverity(deps, { incident: here, severity: command.severity, by }),
      );
    case "note":
      return outcome(await addNote(deps, { incident: here, text: command.text, by }), () => ({
        kind: "noted",
      }));
    case "mitigated":
      return outcome(await mitigateIncident(deps, { incident: here, by }));
    case "resolve":
      return outcome(
        await resolveIncident(deps, {
          incident: here,
          by,
          ...(command.summary ? { summary: command.summary } : {}),
        }),
        ({ incident }) => ({ kind: "resolved", incident }),
      );
    case "timeline":
      return outcome(await showTimeline(deps, { incident: here }), (view) => ({
        kind: "timeline",
        view,
      }));
    case "list":
      return outcome(await listIncidents(deps, { openOnly: true }), (incidents) => ({
        kind: "incidents",
        incidents,
      }));
  }
}

/**
 * INCIDENT_OPERATORS: when set, only they may declare over named hosts, run playbooks, resolve
 * and set the commander (the commands that make the bot act on hosts or close an incident).
 * Everyone may still declare without hosts, take notes, post status and read.
 */
function operatorRefusal(
  deps: LifecycleDeps,
  command: IncidentCommand,
  user: string,
): Refused | null {
  const what =
    command.kind === "declare" && command.hosts.length > 0
      ? "declare an incident on named hosts"
      : command.kind === "run"
        ? "run playbooks"
        : command.kind === "resolve"
          ? "resolve incidents"
          : command.kind === "commander"
            ? "change the commander"
            : null;
  if (what === null) return null;
  const { operators } = deps.settings;
  if (operators.length === 0 || operators.includes(user)) return null;
  return refused({
    code: "not-an-operator",
    message: `Only the incident operators (INCIDENT_OPERATORS) can ${what}; nothing was done.`,
  });
}

/** A refused use case becomes `refused`, never an exception; success maps to `done` by default. */
export function outcome<T, O>(
  result: UseCaseResult<T>,
  ok: (value: T) => O | { kind: "done" } = () => ({ kind: "done" }),
): O | Refused | { kind: "done" } {
  return result.ok ? ok(result.value) : refused(result);
}

export function refused(error: { code: UseCaseErrorCode; message: string }): Refused {
  return { kind: "refused", code: error.code, message: error.message };
}
