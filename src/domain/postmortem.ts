import type { Incident } from "./incident";
import { describeKeyFigures, keyFigures, type KeyFigureTargets } from "./key-figures";
import { incidentProgress } from "./incident-progress";
import type { TimelineEvent } from "./timeline";
import { actorName, clockTime } from "./timeline-render";

/**
 * The postmortem draft in Markdown: summary, impact, timeline, diagnosis, actions and follow-ups
 * (the long-term manual items). A pure function of the incident and its timeline, so it can be
 * re-rendered at any time and always agrees with the timeline.
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
    `# Postmortem: ${incident.title}`,
    "",
    `Incident \`${incident.id}\` · ${incident.severity} · state ${incident.state} · commander ${incident.commander ? `<@${incident.commander}>` : "none"}`,
    "",
    "## Summary",
    "",
    incident.summary ?? "_No summary yet._",
    "",
    "## Impact",
    "",
    `- Hosts: ${incident.hosts.length > 0 ? incident.hosts.join(", ") : "not given"}`,
    `- Declared ${new Date(incident.declaredAt).toISOString()} by ${declarer(incident)}`,
    ...describeKeyFigures(figures).map((line) => `- ${line}`),
    "",
    "## Timeline",
    "",
    "| time | who | what |",
    "| --- | --- | --- |",
    ...events.map((e) => `| ${clockTime(e.at)} | ${actorName(e.actor)} | ${cell(e.summary)} |`),
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

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function diagnosisLines(events: readonly TimelineEvent[]): string[] {
  const diagnoses = events.filter((e) => e.type === "diagnosis");
  if (diagnoses.length === 0) return ["_No diagnosis was recorded._"];
  return diagnoses.flatMap((e) => [
    `- **${e.details.diagnosis.cause}** on ${e.details.diagnosis.hosts.join(", ") || "no host"}: ${e.details.diagnosis.summary}`,
    `  - Recommendation: ${e.details.diagnosis.recommendation}`,
  ]);
}

function actionLines(events: readonly TimelineEvent[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    if (e.type === "approval-granted" || e.type === "approval-denied") {
      lines.push(`- ${clockTime(e.at)} ${e.summary}`);
    } else if (e.type === "remediation-finished") {
      lines.push(
        `- ${clockTime(e.at)} ${e.details.stepId} on ${e.details.host}: precheck ${e.details.precheck}, action ${e.details.action}, verification ${e.details.verification}`,
      );
    } else if (e.type === "state-changed") {
      lines.push(`- ${clockTime(e.at)} state ${e.details.from} → ${e.details.to}`);
    }
  }
  return lines.length > 0 ? lines : ["_No remediation was run._"];
}

function followUpLines(events: readonly TimelineEvent[]): string[] {
  const items = incidentProgress(events, "long-term").filter((i) => i.kind === "manual");
  if (items.length === 0) return ["_No long-term follow-ups were listed._"];
  return items.map((i) => `- [${i.states["*"] === "ticked" ? "x" : " "}] ${i.title}`);
}

/** A person's mention, or the alert that declared it (an integration is nobody to mention). */
function declarer(incident: Incident): string {
  const source = incident.source;
  return source?.kind === "integration"
    ? `the ${source.integration} alert "${cell(source.alert)}"`
    : `<@${incident.declaredBy}>`;
}
