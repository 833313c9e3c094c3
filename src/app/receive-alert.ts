import { plainMessage } from "../domain/message-text";
import { matchHosts, type AlertNotice, type KnownHost } from "../domain/alerts/alert-notice";
import { alertMessage } from "../domain/alerts/alert-message";
import { BOT, type Incident } from "../domain/incident";
import { makeIncidentId } from "../domain/incident-id";
import type { TimelineEventOf } from "../domain/timeline";
import type { AlertStore } from "../ports/alert-store";
import type { DeclareJob } from "../ports/job-queue";
import { declareIncident } from "./declare-incident";
import { LifecycleError } from "./use-case-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";

export interface AlertDeps extends LifecycleDeps {
  alerts: AlertStore;
  /** The inventory's hosts, for matching `instance`/`host` labels. */
  knownHosts: readonly KnownHost[];
  /** ALERT_DEFAULT_HOSTS: what an alert that names no known host runs on. */
  defaultHosts: readonly string[];
  /**
   * ALERT_STORM_LIMIT / ALERT_STORM_WINDOW_MINUTES: past `limit` alert-declared incidents in
   * `windowMs`, a new alert is attached to the newest open one instead of opening a channel.
   */
  storm: { limit: number; windowMs: number };
}

/**
 * What became of a delivery: `declared` a new incident, a `repeat` of an open one's alert,
 * `attached` to the newest open alert incident during a storm, `resolved` told to its incident,
 * `ignored` (resolved with no open incident, or an event type
 * the bot does not act on), `duplicate` (a delivery already handled).
 */
export type AlertStatus = "declared" | "repeat" | "attached" | "resolved" | "ignored" | "duplicate";

export interface AlertOutcome {
  status: AlertStatus;
  incidentId: string | null;
}

/**
 * One alert delivery, whatever tool sent it. A firing alert whose key no open incident holds
 * declares one (the key is claimed atomically first, so concurrent deliveries make one incident);
 * the channel and the playbook follow on the queue, so the sender gets its answer at once. Any
 * error before the incident exists releases the claim and is thrown: nothing was stored, and the
 * sender's retry starts afresh.
 */
export async function receiveAlert(deps: AlertDeps, notice: AlertNotice): Promise<AlertOutcome> {
  const outcome = await handle(deps, notice);
  deps.metrics?.alertReceived(notice.integration, outcome.status);
  return outcome;
}

/** A delivery the route refused before reading it (bad token, signature or payload). */
export function alertRejected(deps: Pick<LifecycleDeps, "metrics">, integration: string): void {
  deps.metrics?.alertReceived(integration, "rejected");
}

async function handle(deps: AlertDeps, notice: AlertNotice): Promise<AlertOutcome> {
  const { integration, deliveryId } = notice;
  if (deliveryId && (await deps.alerts.seenDelivery(integration, deliveryId))) {
    return { status: "duplicate", incidentId: null };
  }
  const outcome = notice.status === "firing" ? await fire(deps, notice) : await over(deps, notice);
  if (deliveryId) await deps.alerts.rememberDelivery(integration, deliveryId);
  return outcome;
}

async function fire(deps: AlertDeps, notice: AlertNotice): Promise<AlertOutcome> {
  const now = deps.clock.now();
  const candidate = makeIncidentId(now, notice.title, deps.randomSuffix());
  // Quiet: the card and the timeline show a repeat; the channel already knows this alert.
  const firing = alertEvent(notice, "firing", now, deps);
  const claim = await deps.alerts.claimFiring(notice.integration, notice.dedupeKey, {
    candidate,
    repeat: alertEvent(notice, "repeat", now, deps),
    firing,
    now,
    storm: deps.storm,
  });
  if (claim.kind === "repeat") return { status: "repeat", incidentId: claim.incidentId };
  if (!claim.admitted) {
    const target = await newestOpen(deps, claim.recent);
    if (target) return attach(deps, notice, candidate, target, now);
  }
  await enqueueDeclare(deps, notice, candidate, firing);
  return { status: "declared", incidentId: candidate };
}

/**
 * The claim is taken: the incident is declared by a queued job, so the sender's answer waits on
 * one more write, not on the declaration's. If even that write fails, nothing was stored: the claim
 * and the storm gate's entry are taken back, and the error goes to the sender as a 5xx.
 */
async function enqueueDeclare(
  deps: AlertDeps,
  notice: AlertNotice,
  id: string,
  firing: TimelineEventOf<"alert">,
): Promise<void> {
  const matched = matchHosts(notice.hostHints, deps.knownHosts);
  try {
    await deps.queue.enqueueDeclare({
      incidentId: id,
      title: notice.title,
      severity: notice.severity,
      hosts: matched.length > 0 ? matched : [...deps.defaultHosts],
      declaredBy: notice.integration,
      declaredAt: firing.at,
      source: {
        kind: "integration",
        integration: notice.integration,
        dedupeKey: notice.dedupeKey,
        alert: notice.title.slice(0, 500),
        url: notice.url?.slice(0, 2000) ?? null,
      },
      firing,
    });
  } catch (error) {
    await deps.alerts.release(notice.integration, notice.dedupeKey, id).catch(() => undefined);
    await deps.alerts.forgetDeclare(id).catch(() => undefined);
    throw error;
  }
}

/**
 * The declare job: saves the incident an alert declared, with `declared` and the alert's firing,
 * and starts its clock and its playbook (declareIncident, re-entrant for the same id). A refusal
 * cannot be helped by a retry; after it, or after the last attempt, the claim is released so the
 * alert's next delivery declares afresh rather than being taken for a repeat.
 */
export async function declareAlerted(
  deps: LifecycleDeps & { alerts: Pick<AlertStore, "release" | "forgetDeclare"> },
  job: DeclareJob,
  attempt: { isLastAttempt: boolean },
): Promise<Incident> {
  try {
    const declared = await declareIncident(deps, {
      id: job.incidentId,
      title: job.title,
      severity: job.severity,
      hosts: job.hosts,
      declaredBy: job.declaredBy,
      declaredAt: job.declaredAt,
      source: job.source,
      openChannelNow: false,
      alsoRecord: [job.firing],
    });
    if (!declared.ok) {
      throw new LifecycleError("declare-refused", `declare refused: ${declared.message}`, false);
    }
    return declared.value.incident;
  } catch (error) {
    const retryable = (error as { retryable?: unknown }).retryable !== false;
    const givingUp = attempt.isLastAttempt || !retryable;
    // An incident that was saved keeps its key: releasing it would open a second one.
    if (givingUp && job.source.kind === "integration" && !(await stored(deps, job.incidentId))) {
      await deps.alerts.release(job.source.integration, job.source.dedupeKey, job.incidentId);
      await deps.alerts.forgetDeclare(job.incidentId);
    }
    throw error;
  }
}

function stored(deps: LifecycleDeps, id: string): Promise<boolean> {
  return deps.incidents.get(id).then(
    (incident) => incident !== null,
    () => true, // unknown: keep the claim
  );
}

/** The newest of the storm's incidents that is not resolved (one being declared counts). */
async function newestOpen(deps: AlertDeps, recent: readonly string[]): Promise<string | null> {
  for (const id of recent) {
    const incident = await deps.incidents.get(id);
    if (!incident || incident.state !== "resolved") return id;
  }
  return null;
}

/** During a storm the alert joins an open incident; its repeats and resolution go there too. */
async function attach(
  deps: AlertDeps,
  notice: AlertNotice,
  candidate: string,
  target: string,
  now: number,
): Promise<AlertOutcome> {
  await deps.alerts.repoint(notice.integration, notice.dedupeKey, candidate, target);
  await recordEvent(deps, target, alertEvent(notice, "attached", now, deps));
  return { status: "attached", incidentId: target };
}

async function over(deps: AlertDeps, notice: AlertNotice): Promise<AlertOutcome> {
  const holder = await deps.alerts.holder(notice.integration, notice.dedupeKey);
  const incident = holder ? await deps.incidents.get(holder) : null;
  if (!incident || incident.state === "resolved") return { status: "ignored", incidentId: null };
  await recordEvent(deps, incident.id, alertEvent(notice, "resolved", deps.clock.now(), deps));
  return { status: "resolved", incidentId: incident.id };
}

function alertEvent(
  notice: AlertNotice,
  status: "firing" | "repeat" | "resolved" | "attached",
  now: number,
  deps: Pick<LifecycleDeps, "randomSuffix">,
): TimelineEventOf<"alert"> {
  const details = {
    integration: notice.integration,
    status,
    alert: notice.title.slice(0, 500),
    url: notice.url?.slice(0, 2000) ?? null,
  };
  return {
    type: "alert",
    // A firing is once per incident; repeats and resolutions may come many times.
    key: status === "firing" ? "alert-firing" : `alert-${status}-${now}-${deps.randomSuffix()}`,
    at: now,
    actor: BOT,
    summary: plainMessage(alertMessage(details)),
    details,
  };
}
