import type { Incident } from "../domain/incident";

/** Where incidents live (Redis in production, a Map in unit tests). */
export interface IncidentStore {
  /** Saves a new incident; false when the id is taken. */
  create(incident: Incident): Promise<boolean>;
  get(id: string): Promise<Incident | null>;
  /** Commands typed in an incident channel find their incident through this index. */
  findByChannel(channel: string): Promise<Incident | null>;
  /**
   * Applies `change` to the current value with optimistic concurrency: on a concurrent write it
   * reads again and re-applies. `change` returns null to leave the incident as it is. Resolves to
   * the stored incident after the update (null when there is no such incident).
   */
  update(id: string, change: (current: Incident) => Incident | null): Promise<Incident | null>;
  /** How many incidents are open or mitigated (for the open-incidents gauge). */
  countOpen(): Promise<number>;
  /** Newest first. */
  list(filter: { openOnly: boolean; limit: number }): Promise<Incident[]>;
}
