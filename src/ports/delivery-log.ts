/**
 * Which chat messages of an event's announcement went out already. An announce job that failed
 * half-way is retried, and must not repeat what it sent; this is bookkeeping about delivery to one
 * surface, not history of the incident, so it lives apart from the timeline.
 */
export interface DeliveryLog {
  /** `part` names one message of one announcement: `<event key>#<message>`. */
  wasSent(incidentId: string, part: string): Promise<boolean>;
  markSent(incidentId: string, part: string): Promise<void>;
}
