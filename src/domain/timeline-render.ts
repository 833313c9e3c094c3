import type { Actor } from "./incident";
import type { TimelineEvent } from "./timeline";

/** Plain-text timeline, one line per event: `22:14:05 UTC  @U123  Step error-log on proxy-1: ok`. */
export function renderTimelineText(events: readonly TimelineEvent[]): string {
  if (events.length === 0) return "(no events yet)";
  return events.map(renderTimelineLine).join("\n");
}

export function renderTimelineLine(e: TimelineEvent): string {
  return `${clockTime(e.at)}  ${actorName(e.actor)}  ${e.summary}`;
}

export function clockTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}

export function actorName(actor: Actor): string {
  return actor.kind === "bot" ? "bot" : `<@${actor.id}>`;
}

/** Cuts long text for chat, keeping the end (the newest log lines) and saying what was cut. */
export function capText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.length - maxChars;
  return `…(${cut} characters cut)…\n${text.slice(cut)}`;
}
