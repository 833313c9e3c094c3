import type { Integration } from "../domain/incident";
import type { TimelineEvent } from "../domain/timeline";

export interface FiringInput {
  /** The id the incident gets if this delivery declares it. */
  candidate: string;
  /** What the holder's timeline records if an incident already holds the key. */
  repeat: TimelineEvent;
  /** What the candidate's timeline starts with if the key is claimed and the gate admits it. */
  firing: TimelineEvent;
  now: number;
  /** ALERT_STORM_LIMIT alert-declared incidents in ALERT_STORM_WINDOW_MINUTES at most. */
  storm: { limit: number; windowMs: number };
}

export type FiringClaim =
  | { kind: "repeat"; incidentId: string }
  | { kind: "claimed"; admitted: true }
  /** Past the storm gate's limit: `recent` lists the window's incidents, newest first. */
  | { kind: "claimed"; admitted: false; recent: string[] };

/**
 * Which incident holds an alert's dedupe key, made atomic where the incidents live (Redis), so two
 * deliveries of one alert at the same moment still make one incident.
 */
export interface AlertStore {
  /**
   * A firing delivery, atomically: an incident that holds the key (one that is open, or one being
   * declared right now) gets `repeat` on its timeline; otherwise the key is claimed for
   * `candidate` (a key whose incident was resolved is claimed afresh) and the storm gate admits
   * it as an alert-declared incident, or not. The claim holds while the incident is open.
   */
  claimFiring(
    integration: Integration,
    dedupeKey: string,
    input: FiringInput,
  ): Promise<FiringClaim>;
  /** The declare stored nothing: let a retry claim the key again. */
  release(integration: Integration, dedupeKey: string, incidentId: string): Promise<void>;
  /** Takes an admitted candidate back out of the storm gate (its declare stored nothing). */
  forgetDeclare(candidate: string): Promise<void>;
  /** Points a claim at another incident (an alert attached to one during a storm). */
  repoint(integration: Integration, dedupeKey: string, from: string, to: string): Promise<void>;
  /** The incident that holds (or last held) the key. */
  holder(integration: Integration, dedupeKey: string): Promise<string | null>;
  /** Whether this delivery id was handled already (PagerDuty retries send the same event). */
  seenDelivery(integration: Integration, deliveryId: string): Promise<boolean>;
  rememberDelivery(integration: Integration, deliveryId: string): Promise<void>;
}
