import type { Incident } from "../domain/incident";
import type { Clock } from "../ports/clock";
import type { IncidentStore } from "../ports/incident-store";
import type { TimelineStore } from "../ports/timeline-store";
import {
  buildIncidentView,
  type IncidentView,
  type IncidentViewSettings,
} from "./build-incident-view";

/**
 * What reading an incident needs: the two stores and the clock, nothing that runs or posts, so
 * a read-only process (the page) can serve it without the queue, the chat or SSH.
 */
export interface IncidentReadDeps {
  incidents: Pick<IncidentStore, "get" | "list">;
  timeline: Pick<TimelineStore, "read">;
  clock: Clock;
  settings: IncidentViewSettings;
}

/** The incident and its whole timeline as a view, or null when there is no such incident. */
export async function getIncidentView(
  deps: IncidentReadDeps,
  incidentId: string,
): Promise<IncidentView | null> {
  const incident = await deps.incidents.get(incidentId);
  if (!incident) return null;
  const events = await deps.timeline.read(incident.id);
  return buildIncidentView(incident, events, deps.clock.now(), deps.settings);
}

/** How many incidents the operator's list shows: the open ones and the most recent others. */
const LISTED_INCIDENTS = 50;

/** Every open incident (up to the cap) first, then recent resolved ones, newest first in each. */
export async function openAndRecentIncidents(deps: IncidentReadDeps): Promise<Incident[]> {
  const [open, recent] = await Promise.all([
    deps.incidents.list({ openOnly: true, limit: LISTED_INCIDENTS }),
    deps.incidents.list({ openOnly: false, limit: LISTED_INCIDENTS }),
  ]);
  const closed = recent.filter((i) => i.state === "resolved");
  return [...open, ...closed].slice(0, LISTED_INCIDENTS);
}
