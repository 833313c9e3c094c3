import type { Incident } from "./incident";
import { describeKeyFigures, keyFigures, type KeyFigureTargets } from "./key-figures";
import { incidentProgress } from "./incident-progress";
import type { TimelineEvent } from "./timeline";
import { plainMessage } from "./message-text";
import { actorName, clockTime, describeEvent } from "./timeline-render";

/**
 * The postmortem draft in Markdown: summary, impact, timeline, diagnosis, actions and follow-ups
 * (the long-term manual items). A pure function of the incident and its timeline, so it can be
 * re-rendered at any time and always agrees with the timeline. Everything it quotes (titles,
 * notes, summaries, host and upstream names) goes through `md`, so a Markdown viewer shows it as
 * written: no link, image, HTML or heading it carries takes effect, and no `<…>` is left for chat
 * to read as a mention.
 */
export function renderPostmortem(
  incident: Incident,
  events: readonly TimelineEvent[],
  now: number,
  phaseMinuteMs: number,
  targets?: KeyFigureTargets,
): string {
  const figures = keyFigures(events, now, phaseMinuteMs, targets);
  return [
    `# Postmortem: ${md(incident.title)}`,
    "",
    `Incident \`${incident.id}\` · ${incident.severity} · state ${incident.state} · commander ${incident.commander ? md(`@${incident.commander}`) : "none"}`,
    "",
    "## Summary",
    "",
    incident.summary ? mdParagraph(incident.summary) : "_No summary yet._",
    "",
    "## Impact",
    "",
    `- Hosts: ${incident.hosts.length > 0 ? md(incident.hosts.join(", ")) : "not given"}`,
    `- Declared ${new Date(incident.declaredAt).toISOString()} by ${md(declarer(incident))}`,
    ...describeKeyFigures(figures).map((line) => `- ${line}`),
    "",
    "## Timeline",
    "",
    "| time | who | what |",
    "| --- | --- | --- |",
    // What each event says as every surface says it (the commander named from the details).
    ...events.map(
      (e) =>
        `| ${clockTime(e.at)} | ${md(actorName(e.actor))} | ${md(plainMessage(describeEvent(e)))} |`,
    ),
    "",
    "## Diagnosis",
    "",
    ...diagnosisLines(events),
    "",
    "## Actions",
    "",
    ...actionLines(events),
    "",
    "## Follow-ups",
    "",
    ...followUpLines(events),
    "",
  ].join("\n");
}

/**
 * Quoted text inline: what formats or links mid-line backslash-escaped (CommonMark allows it for
 * any ASCII punctuation): code, emphasis, strike-through, `|` for the table, an underscore unless
 * inside a word (`http_code` emphasises nothing), the `](` of an inline link or image; `& < >` as
 * entities (no HTML, no autolink, no chat mention); line breaks as spaces (one table cell, one
 * list item). A reference link needs a definition at the start of a line, which quoted text
 * never is (see mdParagraph).
 */
export function md(text: string): string {
  return text
    .replace(/[\\`*~|]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_|\](?=\()/g, "\\$&")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/\s*\n\s*/g, " ");
}

/** Quoted text that may run over several lines (the resolve summary): each line escaped. */
function mdParagraph(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      md(line)
        .replace(/^(\s*)([#+=[-])/, "$1\\$2")
        .replace(/^(\s*\d+)([.)])/, "$1\\$2"),
    )
    .join("  \n");
}

function diagnosisLines(events: readonly TimelineEvent[]): string[] {
  const diagnoses = events.filter((e) => e.type === "diagnosis");
  if (diagnoses.length === 0) return ["_No diagnosis was recorded._"];
  return diagnoses.flatMap((e) => [
    `- ${e.details.stage === "triage" ? "Triage: " : ""}**${e.details.diagnosis.cause}** on ${md(e.details.diagnosis.hosts.join(", ")) || "no host"}: ${md(e.details.diagnosis.summary)}`,
    `  - Recommendation: ${md(e.details.diagnosis.recommendation)}`,
    ...Object.entries(e.details.evidence ?? {}).flatMap(([host, lines]) => [
      `  - Evidence on ${md(host)}:`,
      ...lines.map((line) => `    - ${md(line)}`),
    ]),
  ]);
}

function actionLines(events: readonly TimelineEvent[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    if (e.type === "approval-granted" || e.type === "approval-denied") {
      lines.push(`- ${clockTime(e.at)} ${md(`${actorName(e.actor)} ${e.summary}`)}`);
    } else if (e.type === "remediation-finished") {
      lines.push(
        `- ${clockTime(e.at)} ${md(`${e.details.stepId} on ${e.details.host}`)}: precheck ${e.details.precheck}, action ${e.details.action}, verification ${e.details.verification}`,
      );
    } else if (e.type === "remediation-refused") {
      lines.push(`- ${clockTime(e.at)} ${md(e.summary)}`);
    } else if (e.type === "state-changed") {
      lines.push(`- ${clockTime(e.at)} state ${e.details.from} → ${e.details.to}`);
    }
  }
  return lines.length > 0 ? lines : ["_No remediation was run._"];
}

function followUpLines(events: readonly TimelineEvent[]): string[] {
  const items = incidentProgress(events, "long-term").filter((i) => i.kind === "manual");
  if (items.length === 0) return ["_No long-term follow-ups were listed._"];
  return items.map((i) => `- [${i.states["*"] === "ticked" ? "x" : " "}] ${md(i.title)}`);
}

/** A person's mention, or the alert that declared it (an integration is nobody to mention). */
function declarer(incident: Incident): string {
  const source = incident.source;
  return source?.kind === "integration"
    ? `the ${source.integration} alert "${source.alert.replace(/\s+/g, " ")}"`
    : `@${incident.declaredBy}`;
}
