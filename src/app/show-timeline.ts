import type { Incident } from "../domain/incident";
import { keyFigures, type KeyFigures } from "../domain/key-figures";
import { renderPostmortem } from "../domain/postmortem";
import type { TimelineEvent } from "../domain/timeline";
import type { TextPart } from "../domain/message-text";
import { timelineText } from "../domain/timeline-render";
import type { IncidentRef } from "./find-incident";
import { findIncident } from "./find-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { succeed, type UseCaseResult } from "./use-case-result";

export interface TimelineView {
  incident: Incident;
  events: TimelineEvent[];
  /** One line per event, summaries as plain text (each surface names the actors its own way). */
  text: TextPart[];
  figures: KeyFigures;
  /** The postmortem draft in Markdown, as it would be rendered now. */
  postmortem: string;
}

/** `/incident timeline`: the events, as text, with key figures and the postmortem draft. */
export async function showTimeline(
  deps: LifecycleDeps,
  input: { incident: IncidentRef },
): Promise<UseCaseResult<TimelineView>> {
  const found = await findIncident(deps, input.incident);
  if (!found.ok) return found;
  const events = await deps.timeline.read(found.value.id);
  const now = deps.clock.now();
  const { phaseMinuteMs, targets } = deps.settings;
  return succeed({
    incident: found.value,
    events,
    text: timelineText(events),
    figures: keyFigures(events, now, phaseMinuteMs, targets),
    postmortem: renderPostmortem(found.value, events, now, phaseMinuteMs, targets),
  });
}
