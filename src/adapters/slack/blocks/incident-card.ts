import { soleState, worstState, type ItemState } from "../../../domain/incident-progress";
import type { ChecklistItem, IncidentCard } from "../../../ports/chat";
import { z } from "zod";
import { fitMessage } from "./fit-message";
import {
  MAX_HEADER_TEXT,
  MAX_SECTION_TEXT,
  chunkLines,
  cutEnd,
  escapeMrkdwn,
  mention,
  mrkdwn,
} from "./limits";
import { linkTo } from "../../../domain/message-text";
import type { Block, RenderedMessage } from "./types";

export const MANUAL_DONE_ACTION = "manual-item-done";

/** What a manual item's Done button carries back (parsed with zod when clicked). */
export const ManualItemValue = z.object({
  incidentId: z.string().min(1).max(200),
  stepId: z.string().min(1).max(200),
});
export type ManualItemValue = z.infer<typeof ManualItemValue>;

/** Manual items still open get their own section with a Done button, up to this many. */
const MAX_DONE_BUTTONS = 10;

const stateEmoji: Record<ItemState, string> = {
  pending: ":white_circle:",
  running: ":hourglass_flowing_sand:",
  ok: ":white_check_mark:",
  ticked: ":ballot_box_with_check:",
  failed: ":x:",
  error: ":warning:",
  skipped: ":fast_forward:",
  "awaiting-approval": ":raised_hand:",
};

const severityEmoji: Record<string, string> = {
  sev1: ":red_circle:",
  sev2: ":large_orange_circle:",
  sev3: ":large_yellow_circle:",
};

/**
 * The pinned incident message: title, severity, state, phase, commander, hosts, elapsed time, the
 * checklist of the current phase with each step's state per host, and the diagnosis once known.
 * Updated in place with chat.update, so it is a pure function of the card.
 */
export function renderIncidentCard(card: IncidentCard): RenderedMessage {
  const { incident } = card;
  const headline = `${incident.severity.toUpperCase()} · ${incident.title}`;
  const blocks: Block[] = [
    {
      type: "header",
      text: { type: "plain_text", text: cutEnd(escapeMrkdwn(headline), MAX_HEADER_TEXT) },
    },
    {
      type: "section",
      fields: [
        field("Severity", `${severityEmoji[incident.severity] ?? ""} ${incident.severity}`),
        field("State", incident.state),
        field("Phase", incident.phase),
        field("Commander", incident.commander ? mention(incident.commander) : "_unassigned_"),
        field("Hosts", incident.hosts.length > 0 ? escapeMrkdwn(incident.hosts.join(", ")) : "—"),
        field("Elapsed", formatElapsed(card.elapsedMs)),
      ],
    },
    { type: "divider" },
    ...checklistBlocks(card),
    ...diagnosisBlocks(card),
    ...summaryBlocks(card),
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text:
            `\`${incident.id}\` · declared by ${mention(incident.declaredBy)} · <!date^${Math.floor(incident.declaredAt / 1000)}^{date_short_pretty} {time}|${new Date(incident.declaredAt).toISOString()}>` +
            (card.pageUrl ? ` · ${mrkdwn([linkTo(card.pageUrl, "Incident page")])}` : ""),
        },
      ],
    },
  ];
  const text = `${escapeMrkdwn(headline)} (${incident.state}, ${incident.phase} phase)`;
  return fitMessage({ text, blocks });
}

function field(label: string, value: string) {
  return { type: "mrkdwn" as const, text: cutEnd(`*${label}*\n${value}`, 2000) };
}

function checklistBlocks(card: IncidentCard): Block[] {
  const title = `*Checklist · ${card.incident.phase} phase*`;
  if (card.checklist.length === 0) {
    return [section(`${title}\n_No steps yet._`)];
  }
  const open = openManualItems(card);
  const lines = [
    title,
    ...card.checklist.filter((item) => !open.includes(item)).map(checklistLine),
  ];
  // Leave room for the header, fields, diagnosis and context blocks within Slack's 50.
  const listed = chunkLines(lines).slice(0, 30).map(section);
  return [...listed, ...open.map((item) => doneButtonSection(card.incident.id, item))];
}

function openManualItems(card: IncidentCard): ChecklistItem[] {
  if (card.incident.state === "resolved") return [];
  return card.checklist
    .filter((item) => item.kind === "manual" && item.states["*"] !== "ticked")
    .slice(0, MAX_DONE_BUTTONS);
}

function doneButtonSection(incidentId: string, item: ChecklistItem): Block {
  const value: ManualItemValue = { incidentId, stepId: item.stepId };
  return {
    type: "section",
    text: { type: "mrkdwn", text: cutEnd(checklistLine(item), MAX_SECTION_TEXT) },
    accessory: {
      type: "button",
      action_id: MANUAL_DONE_ACTION,
      text: { type: "plain_text", text: "Done" },
      value: JSON.stringify(value),
    },
  };
}

export function checklistLine(item: ChecklistItem): string {
  const mark = stateEmoji[worstState(Object.values(item.states))];
  const title = escapeMrkdwn(item.title);
  if (soleState(item.states) !== null) {
    return `${mark} ${title}${item.kind === "manual" ? " _(manual)_" : ""}`;
  }
  const perHost = Object.entries(item.states)
    .map(([host, state]) => `${escapeMrkdwn(host)} ${stateEmoji[state]}`)
    .join("  ");
  const kind = item.kind === "remediation" ? " _(needs approval)_" : "";
  return `${mark} ${title}${kind}${perHost ? ` · ${perHost}` : ""}`;
}

function diagnosisBlocks(card: IncidentCard): Block[] {
  const { diagnosis } = card;
  if (!diagnosis) return [];
  const hosts = diagnosis.hosts.length > 0 ? ` on ${escapeMrkdwn(diagnosis.hosts.join(", "))}` : "";
  const others = (diagnosis.others ?? [])
    .map((other) => `\n_Also:_ \`${other.cause}\` on ${escapeMrkdwn(other.hosts.join(", "))}`)
    .join("");
  return [
    { type: "divider" },
    section(
      `:mag: *${card.diagnosisStage === "triage" ? "Triage diagnosis (deeper steps running)" : "Diagnosis"}:* \`${diagnosis.cause}\`${hosts}\n${escapeMrkdwn(diagnosis.summary)}` +
        `\n*Recommendation:* ${escapeMrkdwn(diagnosis.recommendation)}${others}`,
    ),
  ];
}

function summaryBlocks(card: IncidentCard): Block[] {
  const { summary } = card.incident;
  return summary ? [section(`*Summary:* ${escapeMrkdwn(summary)}`)] : [];
}

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: cutEnd(text, MAX_SECTION_TEXT) } };
}

/** "4m 05s" / "1h 02m": elapsed time since declaration, shown on the card. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}
