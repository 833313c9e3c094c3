import { soleState, worstState } from "../../domain/incident-progress";
import type { ApprovalCard, ChecklistItem, IncidentCard } from "../../ports/chat";

/**
 * Plain-text renderings of the Chat port's views. Every line is self-describing (it names its step,
 * approval or incident), so an update can print only the lines that changed and still be read alone,
 * and a test or a script can wait for one line with a simple match.
 */

/** Keyed lines of an incident card: the key says which part of the card the line shows. */
export type CardLines = Map<string, string>;

export function renderIncidentCard(card: IncidentCard): CardLines {
  const { incident } = card;
  const lines: CardLines = new Map();
  lines.set(
    "header",
    `incident ${incident.id} "${incident.title}" ${incident.severity} ${incident.state}` +
      ` phase=${incident.phase}`,
  );
  lines.set(
    "people",
    `  commander=${incident.commander ?? "none"} declared-by=${incident.declaredBy}` +
      ` hosts=${incident.hosts.length > 0 ? incident.hosts.join(",") : "none"}`,
  );
  for (const item of card.checklist) lines.set(`step:${item.stepId}`, renderChecklistItem(item));
  if (card.diagnosis) {
    const { diagnosis } = card;
    const hosts = diagnosis.hosts.length > 0 ? ` on ${diagnosis.hosts.join(",")}` : "";
    lines.set(
      "diagnosis",
      `  ${card.diagnosisStage === "triage" ? "triage diagnosis" : "diagnosis"}: ${diagnosis.cause}${hosts}: ${oneLine(diagnosis.summary)}`,
    );
    lines.set("recommendation", `  recommendation: ${oneLine(diagnosis.recommendation)}`);
    for (const other of diagnosis.others ?? []) {
      lines.set(`other:${other.cause}`, `  also: ${other.cause} on ${other.hosts.join(",")}`);
    }
  }
  if (incident.summary) lines.set("summary", `  summary: ${oneLine(incident.summary)}`);
  if (card.pageUrl) lines.set("page", `  page: ${card.pageUrl}`);
  return lines;
}

const marks: Record<ChecklistItem["states"][string], string> = {
  pending: "[ ]",
  running: "[~]",
  ok: "[x]",
  ticked: "[x]",
  failed: "[!]",
  error: "[E]",
  skipped: "[-]",
  "awaiting-approval": "[?]",
};

export function renderChecklistItem(item: ChecklistItem): string {
  const mark = marks[worstState(Object.values(item.states))];
  const perHost =
    soleState(item.states) ??
    Object.entries(item.states)
      .map(([host, state]) => `${host}=${state}`)
      .join(" ");
  return `  ${mark} ${item.kind} ${item.stepId} "${item.title}": ${perHost}`;
}

/** The lines that are new or different in `next` compared with `previous`, in `next`'s order. */
export function changedLines(previous: CardLines, next: CardLines): string[] {
  const changed: string[] = [];
  for (const [key, line] of next) if (previous.get(key) !== line) changed.push(line);
  return changed;
}

export function renderApprovalCard(card: ApprovalCard, now: number): string[] {
  const lines = [
    `approval ${card.approvalId} ${card.state}: "${card.title}" on ${card.hosts.join(",")}` +
      ` (requested by ${card.requestedBy}${card.decidedBy ? `, decided by ${card.decidedBy}` : ""})`,
  ];
  for (const command of card.commands) lines.push(`  $ ${oneLine(command)}`);
  if (card.precheck) lines.push(`  precheck: ${oneLine(card.precheck)}`);
  if (card.required > 1 || card.approvals.length > 0) {
    const given = card.approvals.map((a) => a.by).join(", ") || "none yet";
    const left = Math.max(0, card.required - card.approvals.length);
    const needed = card.state === "pending" && left > 0 ? `; ${left} more needed` : "";
    lines.push(`  approvals: ${card.approvals.length} of ${card.required} (${given})${needed}`);
  }
  if (card.state === "pending") {
    lines.push(`  expires in ${formatDuration(Math.max(0, card.expiresAt - now))}`);
    // The buttons of Slack's card; the shell answers them at the prompt.
    lines.push(`  [a]pprove / [d]eny ${card.approvalId}`);
  }
  if (card.outcome) for (const line of card.outcome.split("\n")) lines.push(`  outcome: ${line}`);
  return lines;
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, "0")}s` : `${seconds}s`;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
