import type { TimelineEvent } from "../domain/timeline";

/** The append-only history of each incident (a Redis Stream per incident). */
export interface TimelineStore {
  /**
   * Appends the event unless an event with the same `key` is already there: retries and racing
   * workers never double an event. `appended` is false for such a duplicate.
   */
  append(incidentId: string, event: TimelineEvent): Promise<{ appended: boolean }>;
  /** Every event, oldest first, validated on read. */
  read(incidentId: string): Promise<TimelineEvent[]>;
  getByKey(incidentId: string, key: string): Promise<TimelineEvent | null>;
  /** Whether an event with this key is there, without reading it (a poll's question). */
  has(incidentId: string, key: string): Promise<boolean>;
}
