import { alertMessage } from "./alerts/alert-message";
import type { Actor } from "./incident";
import { joinMessages, personNamed, plainMessage, type TextPart } from "./message-text";
import type { TimelineEvent } from "./timeline";

/**
 * The timeline, one line per event: `22:14:05 UTC  @U123  Step error-log on proxy-1: ok`. As
 * message parts, so each surface names the actor its own way (a Slack mention) and shows every
 * summary as plain text.
 */
export function timelineText(events: readonly TimelineEvent[]): TextPart[] {
  if (events.length === 0) return ["(no events yet)"];
  return joinMessages(events.map(timelineLine), "\n");
}

/** The timeline as plain text (people as `@id`). */
export function renderTimelineText(events: readonly TimelineEvent[]): string {
  return plainMessage(timelineText(events));
}

export function timelineLine(e: TimelineEvent): TextPart[] {
  return [`${clockTime(e.at)}  `, actorPart(e.actor), "  ", ...describeEvent(e)];
}

/**
 * What an event says, from its details where it names a person the bot validated (the new
 * commander), so that person can be a mention; every other event says its stored summary, which is
 * plain text (titles, notes and host output quoted as they were written).
 */
export function describeEvent(e: TimelineEvent): TextPart[] {
  if (e.type === "commander-set") return ["Commander: ", personNamed(e.details.commander)];
  if (e.type === "alert") return alertMessage(e.details);
  return [e.summary];
}

export function clockTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}

export function actorPart(actor: Actor): TextPart {
  return actor.kind === "bot" ? "bot" : personNamed(actor.id);
}

/** The actor as plain text: `bot` or `@U123`. */
export function actorName(actor: Actor): string {
  return actor.kind === "bot" ? "bot" : `@${actor.id}`;
}

/** Cuts long text for chat, keeping the end (the newest log lines) and saying what was cut. */
export function capText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.length - maxChars;
  return `…(${cut} characters cut)…\n${text.slice(cut)}`;
}
