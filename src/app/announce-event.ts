import { BOT, type Incident } from "../domain/incident";
import { describeKeyFigures, keyFigures } from "../domain/key-figures";
import { incidentProgress, progressSummary } from "../domain/incident-progress";
import { renderPostmortem } from "../domain/postmortem";
import type { TimelineEvent } from "../domain/timeline";
import {
  joinMessages,
  linkTo,
  strong,
  type MessageText,
  type TextPart,
} from "../domain/message-text";
import { refinementMatters } from "../domain/triage";
import { capText, describeEvent } from "../domain/timeline-render";
import type { AnnounceJob } from "../ports/job-queue";
import { buildApprovalCard, buildIncidentCard } from "./build-incident-card";
import { incidentTopic, openChannel } from "./declare-incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { LifecycleError } from "./use-case-result";

/**
 * The announce job: tells the chat about one event that is already in the timeline. Any chat
 * failure throws, and the queue retries with backoff; after the last attempt the queue calls
 * recordAnnouncementFailed, so a Slack outage never loses an event and always leaves a trace.
 */
export async function announceEvent(deps: LifecycleDeps, job: AnnounceJob): Promise<void> {
  const event = await deps.timeline.getByKey(job.incidentId, job.eventKey);
  if (!event) throw new LifecycleError("event-missing", `No event ${job.eventKey}.`, false);
  if (event.type === "announcement-failed") return;
  const incident = await ensureCard(deps, job.incidentId, event);
  const ref = incident.messageRef as string;
  const channel = incident.channel as string;
  const now = deps.clock.now();
  if (event.type !== "declared") await requestCardRefresh(deps, incident.id, now);
  if (QUIET.includes(event.type)) return;
  // Read lazily: most announcements (a step's output) do not need the whole timeline.
  let events: Promise<TimelineEvent[]> | null = null;
  const read = (): Promise<TimelineEvent[]> => (events ??= deps.timeline.read(incident.id));
  await announceDetails(deps, { incident, event, events: read, ref, channel, now });
}

/** Events that only change the card: no message of their own, so no timeline read either. */
const QUIET: readonly TimelineEvent["type"][] = [
  "step-started",
  "playbook-started",
  "playbook-finished",
  "manual-item-ticked",
];

export async function requestCardRefresh(
  deps: LifecycleDeps,
  incidentId: string,
  now: number,
): Promise<void> {
  const size = deps.settings.cardRefreshMs;
  const bucket = Math.floor(now / size);
  await deps.queue.refreshCard({ incidentId, bucket, dueAt: (bucket + 1) * size });
}

/**
 * The card refresh job: the card is a pure function of incident and timeline, so one update
 * after a burst of events shows all of them.
 */
export async function refreshIncidentCard(
  deps: LifecycleDeps,
  job: { incidentId: string },
): Promise<void> {
  const incident = await deps.incidents.get(job.incidentId);
  if (!incident?.messageRef) {
    throw new LifecycleError("card-not-posted", "The incident card is not posted yet.", true);
  }
  const events = await deps.timeline.read(incident.id);
  await deps.chat.updateIncidentCard(
    incident.messageRef,
    buildIncidentCard(incident, events, deps.clock.now(), pageUrlOf(deps, incident.id)),
  );
}

function pageUrlOf(deps: LifecycleDeps, incidentId: string): string | null {
  return deps.pages?.linkFor(incidentId) ?? null;
}

async function ensureCard(
  deps: LifecycleDeps,
  id: string,
  event: TimelineEvent,
): Promise<Incident> {
  let incident = await deps.incidents.get(id);
  if (!incident) throw new LifecycleError("not-found", `No incident ${id}.`, false);
  if (incident.channel && incident.messageRef) return incident;
  // Only the `declared` announcement opens the channel and posts the card, so racing jobs never
  // make two; the others wait (retry with backoff) until both are there. If that announcement
  // gave up (a long chat outage), the next announcement after chat is back takes over its work.
  const declaredGaveUp = await deps.timeline.getByKey(id, "announcement-failed:declared");
  if (event.type !== "declared" && !declaredGaveUp) {
    throw new LifecycleError("card-not-posted", "The incident card is not posted yet.", true);
  }
  if (!incident.channel) {
    incident = await openChannel(deps, incident);
    if (!incident?.channel) throw new LifecycleError("chat-unavailable", "No channel yet.", true);
  }
  if (incident.messageRef) return incident;
  const events = await deps.timeline.read(id);
  const channel = incident.channel as string;
  const posted = await deps.chat.postIncidentCard(
    channel,
    buildIncidentCard(incident, events, deps.clock.now(), pageUrlOf(deps, id)),
  );
  const saved = await deps.incidents.update(id, (current) =>
    current.messageRef ? null : { ...current, messageRef: posted },
  );
  return saved ?? { ...incident, messageRef: posted };
}

interface Context {
  incident: Incident;
  event: TimelineEvent;
  events(): Promise<TimelineEvent[]>;
  ref: string;
  channel: string;
  now: number;
}

async function announceDetails(deps: LifecycleDeps, c: Context): Promise<void> {
  const e = c.event;
  const cap = (text: string): string => capText(text, deps.settings.maxChatOutputChars);
  switch (e.type) {
    case "step-finished":
      // A step that failed or could not run goes to the thread at once; the other outputs follow
      // the diagnosis, one message per host (postRunOutputs). At Slack's pace of about one
      // message per second per channel, a message per step (15 steps × N hosts) would hold the
      // diagnosis back by a minute, and the card already shows each step as it finishes.
      if (!stepResultIsPosted(e.details.status)) return;
      await sendOnce(deps, c, "reply", () =>
        deps.chat.postThreadReply(
          c.ref,
          e.summary,
          cap(e.details.output || e.details.reason || ""),
        ),
      );
      return;
    case "diagnosis":
      await sendOnce(deps, c, "message", () =>
        deps.chat.postMessage(c.channel, diagnosisText(e.details)),
      );
      // The outputs follow the final diagnosis: the triage one must not wait behind them.
      if (e.details.stage !== "triage") await postRunOutputs(deps, c, e.details.runId);
      return;
    case "approval-requested":
      return postApproval(deps, c, e.details.approvalId);
    case "approval-granted":
    case "approval-denied":
    case "approval-expired":
      return updateApproval(deps, c, e.details.approvalId);
    case "remediation-finished":
      await sendOnce(deps, c, "reply", () =>
        deps.chat.postThreadReply(c.ref, e.summary, cap(e.details.output)),
      );
      return updateApproval(deps, c, e.details.approvalId);
    case "phase-changed":
    case "status-update":
      await sendOnce(deps, c, "message", async () =>
        deps.chat.postMessage(c.channel, await statusText(deps, c)),
      );
      return;
    case "severity-changed":
      await sendOnce(deps, c, "message", () => deps.chat.postMessage(c.channel, describeEvent(e)));
      await deps.chat.setTopic(c.channel, incidentTopic(c.incident));
      return;
    case "remediation-refused":
      await sendOnce(deps, c, "message", () => deps.chat.postMessage(c.channel, describeEvent(e)));
      return updateApproval(deps, c, e.details.approvalId);
    case "alert":
      // A repeat only shows on the card and the timeline; the channel knows the alert already.
      if (e.details.status === "repeat") return;
      await sendOnce(deps, c, "message", () => deps.chat.postMessage(c.channel, describeEvent(e)));
      return;
    case "commander-set":
    case "note":
    case "state-changed":
      await sendOnce(deps, c, "message", () => deps.chat.postMessage(c.channel, describeEvent(e)));
      return;
    case "resolved": {
      // Each text is rendered only when it still has to go out: a retry skips what was sent.
      await sendOnce(deps, c, "message", async () =>
        deps.chat.postMessage(
          c.channel,
          joinMessages([describeEvent(e), ...(await figures(deps, c)), ...pageLine(deps, c)], "\n"),
        ),
      );
      await sendOnce(deps, c, "postmortem", async () =>
        deps.chat.uploadFile(c.channel, {
          filename: `postmortem-${c.incident.id}.md`,
          title: `Postmortem draft: ${c.incident.title}`,
          content: renderPostmortem(
            c.incident,
            await c.events(),
            c.now,
            deps.settings.phaseMinuteMs,
            deps.settings.targets,
          ),
        }),
      );
      return;
    }
    default:
      return;
  }
}

const NEEDS_ATTENTION: readonly string[] = ["failed", "error"];

/** A step result that is posted on its own, at once (the others show on the card). */
export function stepResultIsPosted(status: string): boolean {
  return NEEDS_ATTENTION.includes(status);
}

type DiagnosisDetails = Extract<TimelineEvent, { type: "diagnosis" }>["details"];

/**
 * A triage diagnosis says the deeper steps still run; a final one after it says whether they
 * changed the cause or added one, or confirms it in one line.
 */
export function diagnosisText(details: DiagnosisDetails): MessageText {
  const { diagnosis, refinement } = details;
  const where = `${diagnosis.cause} on ${diagnosis.hosts.join(", ") || "no host"}`;
  const body = (label: string, note: string): TextPart[] => [
    strong(label),
    ` ${where}${note}\n${diagnosis.summary}\n`,
    strong("Recommendation:"),
    ` ${diagnosis.recommendation}`,
  ];
  if (details.stage === "triage") {
    return body("Diagnosis:", " (triage: the deeper steps are still running)");
  }
  if (!refinement) return body("Diagnosis:", "");
  if (!refinementMatters(refinement)) {
    return [strong("Final diagnosis:"), ` confirms ${where} (every step is in).`];
  }
  const changes = [
    ...(refinement.causeChanged ? [`changed the cause from ${refinement.from}`] : []),
    ...(refinement.addedCauses.length ? [`added ${refinement.addedCauses.join(", ")}`] : []),
    ...(refinement.addedHosts.length ? [`added hosts ${refinement.addedHosts.join(", ")}`] : []),
  ];
  return body("Final diagnosis:", ` (the deeper steps ${changes.join("; ")})`);
}

/**
 * The outputs of a run's steps that went fine, one thread reply per host (more when they do not
 * fit in one), each step capped. Whole steps go into each reply: chat cuts a message that is too
 * long from its start, which would take the first steps' names and outputs with it.
 */
async function postRunOutputs(deps: LifecycleDeps, c: Context, runId: string): Promise<void> {
  const byHost = new Map<string, { stepId: string; status: string; output: string }[]>();
  for (const e of await c.events()) {
    if (e.type !== "step-finished" || e.details.runId !== runId || !e.details.output) continue;
    if (stepResultIsPosted(e.details.status) || e.details.status === "awaiting-approval") {
      continue;
    }
    const steps = byHost.get(e.details.host) ?? [];
    steps.push(e.details);
    byHost.set(e.details.host, steps);
  }
  const budget = deps.settings.maxChatOutputChars;
  for (const [host, steps] of byHost) {
    const each = Math.max(MIN_STEP_CHARS, Math.floor(budget / steps.length));
    const entries = steps.map(
      (s) => `$ ${s.stepId} (${s.status})\n${capText(s.output.trimEnd(), each)}`,
    );
    const parts = packEntries(entries, budget);
    const count = `${steps.length} step${steps.length === 1 ? "" : "s"}`;
    for (const [i, body] of parts.entries()) {
      const of = parts.length > 1 ? `, part ${i + 1} of ${parts.length}` : "";
      const title = `Step output on ${host} (${count}${of})`;
      await sendOnce(deps, c, `output:${host}:${i}`, () =>
        deps.chat.postThreadReply(c.ref, title, body),
      );
    }
  }
}

/** Below this a step's output says too little to be worth a share of the reply. */
const MIN_STEP_CHARS = 300;

/** Joins entries in order into bodies of at most `budget` characters (one entry may exceed it). */
function packEntries(entries: readonly string[], budget: number): string[] {
  const bodies: string[] = [];
  let current = "";
  for (const entry of entries) {
    if (current !== "" && current.length + 2 + entry.length > budget) {
      bodies.push(current);
      current = "";
    }
    current = current === "" ? entry : `${current}\n\n${entry}`;
  }
  if (current !== "") bodies.push(current);
  return bodies;
}

/**
 * Sends one message of the event's announcement unless an earlier attempt of this job already
 * did, so a retry after a later message failed does not repeat the earlier ones. Marked after
 * sending: a crash in between can still repeat one (chat APIs take no idempotency key).
 */
async function sendOnce(
  deps: LifecycleDeps,
  c: Context,
  part: string,
  send: () => Promise<unknown>,
): Promise<void> {
  const key = `${c.event.key}#${part}`;
  if (await deps.deliveries.wasSent(c.incident.id, key)) return;
  await send();
  await deps.deliveries.markSent(c.incident.id, key);
}

/** The incident page, for the resolve message: where the whole story stays readable. */
function pageLine(deps: LifecycleDeps, c: Context): MessageText[] {
  const url = pageUrlOf(deps, c.incident.id);
  return url ? [[linkTo(url, "Incident page")]] : [];
}

async function figures(deps: LifecycleDeps, c: Context): Promise<string[]> {
  return describeKeyFigures(
    keyFigures(await c.events(), c.now, deps.settings.phaseMinuteMs, deps.settings.targets),
  );
}

/** A phase change or status update says what is done, what is open, and the key figures. */
async function statusText(deps: LifecycleDeps, c: Context): Promise<MessageText> {
  const text = c.event.type === "status-update" ? c.event.details.text : [strong(c.event.summary)];
  const { done, open } = progressSummary(incidentProgress(await c.events()));
  return joinMessages(
    [
      text,
      `Done (${done.length}): ${done.join(", ") || "nothing yet"}`,
      `Open (${open.length}): ${open.join(", ") || "nothing"}`,
      ...(await figures(deps, c)),
    ],
    "\n",
  );
}

async function postApproval(deps: LifecycleDeps, c: Context, approvalId: string): Promise<void> {
  const found = await deps.approvals.get(approvalId);
  if (!found || (await deps.approvals.cardRef(approvalId))) return;
  const ref = await deps.chat.postApprovalCard(
    c.channel,
    buildApprovalCard(found.approval, found.decision, await c.events(), found.grants),
  );
  await deps.approvals.setCardRef(approvalId, ref);
}

async function updateApproval(deps: LifecycleDeps, c: Context, approvalId: string): Promise<void> {
  const found = await deps.approvals.get(approvalId);
  const ref = await deps.approvals.cardRef(approvalId);
  if (!found) return;
  // The card is posted by the request's own announcement; until then there is nothing to update.
  if (!ref) throw new LifecycleError("card-not-posted", "Approval card not posted yet.", true);
  await deps.chat.updateApprovalCard(
    ref,
    buildApprovalCard(found.approval, found.decision, await c.events(), found.grants),
  );
}

/** Called by the queue after an announcement's last attempt failed. */
export async function recordAnnouncementFailed(
  deps: LifecycleDeps,
  job: AnnounceJob,
  error: string,
): Promise<void> {
  deps.metrics?.announcementFailed();
  await deps.timeline.append(job.incidentId, {
    type: "announcement-failed",
    key: `announcement-failed:${job.eventKey}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: `Could not announce ${job.eventKey} in chat: ${error.slice(0, 200)}`,
    details: { about: job.eventKey, error: error.slice(0, 2000) },
  });
}
