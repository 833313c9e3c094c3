import { BOT, Incident, person, type IncidentSource } from "../domain/incident";
import { incidentChannelName, makeIncidentId } from "../domain/incident-id";
import { runIdFor } from "../domain/incident-run";
import { personNamed, type TextPart } from "../domain/message-text";
import { DEFAULT_SEVERITY, type Severity } from "../domain/severity";
import type { TimelineEvent } from "../domain/timeline";
import type { LifecycleDeps } from "./lifecycle-deps";
import { schedulePhaseClock } from "./schedule-phase-clock";
import { startRun } from "./start-run";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

export interface DeclareIncidentInput {
  title: string;
  severity?: Severity;
  /** Host and group names from the inventory. */
  hosts: string[];
  declaredBy: string;
  /** Absent: each host runs its proxy kind's playbook (settings.defaultPlaybooks). */
  playbook?: string;
  /** Default: the person `declaredBy`. An alert's incident has no commander until one takes it. */
  source?: IncidentSource;
  /**
   * An id chosen beforehand (an alert claims its dedupe key for it first); default: a new one.
   * Declaring a chosen id again (a retried job) goes on from the stored incident: every later
   * write is idempotent, so what the first attempt did is not done twice.
   */
  id?: string;
  /** When it was declared (an alert's receipt); default: now. */
  declaredAt?: number;
  /** Default true. False leaves the channel to the announce job, so the caller answers at once. */
  openChannelNow?: boolean;
  /** Events written with `declared`, just after it (an alert's firing). */
  alsoRecord?: readonly TimelineEvent[];
}

export interface DeclaredIncident {
  incident: Incident;
  /** The immediate-phase run, or null when there are no hosts or no such playbook. */
  runId: string | null;
  /** Why the immediate playbook did not start, when it did not. */
  runSkipped: string | null;
}

/**
 * Saves the incident, writes `declared`, opens the channel (or leaves it to the announce job when
 * chat is down), schedules the phase clock and enqueues the immediate playbook, one job per host.
 */
export async function declareIncident(
  deps: LifecycleDeps,
  input: DeclareIncidentInput,
): Promise<UseCaseResult<DeclaredIncident>> {
  const title = input.title.trim();
  if (!title) return fail("invalid-input", "Give the incident a title: /incident declare TITLE.");
  const now = input.declaredAt ?? deps.clock.now();
  const source = input.source ?? { kind: "person", id: input.declaredBy };
  const parsed = Incident.safeParse({
    id: input.id ?? makeIncidentId(now, title, deps.randomSuffix()),
    title: title.slice(0, 200),
    severity: input.severity ?? DEFAULT_SEVERITY,
    state: "open",
    phase: "immediate",
    commander: source.kind === "person" ? input.declaredBy : null,
    declaredBy: input.declaredBy,
    hosts: input.hosts,
    channel: null,
    messageRef: null,
    declaredAt: now,
    mitigatedAt: null,
    resolvedAt: null,
    summary: null,
    playbook: input.playbook ?? null,
    source,
    version: 0,
  });
  if (!parsed.success) return fail("invalid-input", parsed.error.issues[0]?.message ?? "invalid");
  let incident = parsed.data;
  if (!(await deps.incidents.create(incident))) {
    const stored = input.id ? await deps.incidents.get(input.id) : null;
    if (!stored || stored.declaredAt !== incident.declaredAt) {
      return fail("conflict", "Incident id taken; retry.");
    }
    incident = stored;
  }
  const events: TimelineEvent[] = [
    {
      type: "declared",
      key: "declared",
      at: now,
      actor: source.kind === "person" ? person(input.declaredBy) : BOT,
      summary: `Declared "${incident.title}" (${incident.severity})`,
      details: {
        title: incident.title,
        severity: incident.severity,
        hosts: incident.hosts,
        source,
      },
    },
    ...(input.alsoRecord ?? []),
  ];
  // Issued together, so they take one round trip; appended in this order all the same, since
  // one connection's commands run in the order they were sent.
  await Promise.all([
    ...events.map((event) => deps.timeline.append(incident.id, event)),
    schedulePhaseClock(deps, incident),
  ]);
  if (input.openChannelNow !== false) incident = (await openChannel(deps, incident)) ?? incident;
  deps.metrics?.incidentDeclared(
    source.kind === "person" ? "person" : source.integration,
    incident.severity,
  );
  // Announced once written (recordEvent's order): the announce job reads the event.
  await Promise.all(
    events.map((event) => deps.queue.announce({ incidentId: incident.id, eventKey: event.key })),
  );
  const run = await startImmediateRun(deps, incident);
  return succeed({
    incident,
    runId: run.ok ? run.value.runId : null,
    runSkipped: run.ok ? null : run.message,
  });
}

/** Opens the channel now so the reply can link it; on a chat failure the announce job retries. */
export async function openChannel(
  deps: LifecycleDeps,
  incident: Incident,
): Promise<Incident | null> {
  if (incident.channel) return incident;
  let channel: string;
  try {
    channel = await deps.chat.createIncidentChannel({
      name: incidentChannelName(incident.id),
      topic: incidentTopic(incident),
      purpose: [`Incident ${incident.id}, declared by `, ...declarer(incident)],
      members: [...new Set([...declaringPerson(incident), ...deps.settings.responders])],
    });
  } catch (error) {
    deps.log?.("incident channel not created yet; the announce job will retry", {
      incidentId: incident.id,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
  return deps.incidents.update(incident.id, (current) =>
    current.channel ? null : { ...current, channel },
  );
}

/** Who declared it, for the channel's purpose: a mention, or the alerting tool's name. */
function declarer(incident: Incident): TextPart[] {
  const source = incident.source;
  return source?.kind === "integration"
    ? [`the ${source.integration} alert`]
    : [personNamed(incident.declaredBy)];
}

/** The person to invite as the declarer: nobody when an alert declared it. */
function declaringPerson(incident: Incident): string[] {
  return incident.source?.kind === "integration" ? [] : [incident.declaredBy];
}

function startImmediateRun(deps: LifecycleDeps, incident: Incident) {
  if (incident.hosts.length === 0) {
    return Promise.resolve(fail("invalid-input", "No hosts given; use /incident run later."));
  }
  return startRun(deps, {
    incident,
    runId: runIdFor(incident.id, "immediate", 0),
    playbook: incident.playbook ?? null,
    // A playbook named at declare is for its kind's hosts; the others run their own kind's.
    otherKinds: "own-playbook",
    phase: "immediate",
    hostNames: incident.hosts,
    // An alert's run is the bot's doing: nobody to mention as having asked for it.
    requestedBy: incident.source?.kind === "integration" ? "bot" : incident.declaredBy,
  });
}

/** The channel topic: what the incident is and how bad, at a glance in the channel list. */
export function incidentTopic(incident: Pick<Incident, "severity" | "title">): string {
  return `${incident.severity} · ${incident.title}`;
}
