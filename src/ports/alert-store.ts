import type { Integration } from "../domain/incident";

/**
 * Which incident holds an alert's dedupe key, made atomic where the incidents live (Redis), so two
 * deliveries of one alert at the same moment still make one incident.
 */
export interface AlertStore {
  /**
   * Claims the key for `candidate` unless an incident holds it: one that is open, or one being
   * declared right now. A key whose incident was resolved is claimed afresh.
   */
  claim(
    integration: Integration,
    dedupeKey: string,
    candidate: string,
  ): Promise<{ claimed: boolean; incidentId: string }>;
  /** The incident now exists: the claim lasts while it is open. */
  confirm(integration: Integration, dedupeKey: string, incidentId: string): Promise<void>;
  /** The declare stored nothing: let a retry claim the key again. */
  release(integration: Integration, dedupeKey: string, incidentId: string): Promise<void>;
  /**
   * The storm gate, atomic: admits `candidate` as an alert-declared incident unless `limit` were
   * admitted in the last `windowMs`; when it refuses, `recent` lists those, newest first.
   */
  admitDeclare(
    candidate: string,
    now: number,
    windowMs: number,
    limit: number,
  ): Promise<{ admitted: boolean; recent: string[] }>;
  /** Takes an admitted candidate back out of the gate (its declare stored nothing). */
  forgetDeclare(candidate: string): Promise<void>;
  /** Points a claim at another incident (an alert attached to one during a storm). */
  repoint(integration: Integration, dedupeKey: string, from: string, to: string): Promise<void>;
  /** The incident that holds (or last held) the key. */
  holder(integration: Integration, dedupeKey: string): Promise<string | null>;
  /** Whether this delivery id was handled already (PagerDuty retries send the same event). */
  seenDelivery(integration: Integration, deliveryId: string): Promise<boolean>;
  rememberDelivery(integration: Integration, deliveryId: string): Promise<void>;
}
