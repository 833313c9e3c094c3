import type { TimelineEvent } from "../domain/timeline";
import type { LifecycleDeps } from "./lifecycle-deps";

/**
 * Writes the event first, then asks for its announcement. A duplicate (a retried job) is announced
 * again on purpose: the announce job id is derived from the event key, so it still runs only once,
 * and a crash between the two writes does not leave an event unannounced.
 */
export async function recordEvent(
  deps: Pick<LifecycleDeps, "timeline" | "queue">,
  incidentId: string,
  event: TimelineEvent,
): Promise<boolean> {
  const { appended } = await deps.timeline.append(incidentId, event);
  await deps.queue.announce({ incidentId, eventKey: event.key });
  return appended;
}
