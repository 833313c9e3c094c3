import type { Approval } from "../domain/approval";
import { BOT } from "../domain/incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";

/**
 * Once a remediation's verification has passed on every host of its approval, the bot suggests
 * `/incident mitigated` in the channel, as a note on the timeline. It never changes the state
 * itself: whether the 502s stopped for users is for a person to judge. The note's key is the
 * approval's, so hosts finishing at the same moment on two workers still write it once.
 */
export async function suggestMitigation(deps: LifecycleDeps, approval: Approval): Promise<boolean> {
  const incident = await deps.incidents.get(approval.incidentId);
  if (incident?.state !== "open") return false;
  for (const host of approval.hosts) {
    const outcome = await deps.approvals.remediationOutcome(approval.id, host);
    if (outcome?.verification !== "ok") return false;
  }
  const text =
    `Verification passed on ${approval.hosts.join(", ")} after ${approval.title}. ` +
    "If the 502s have stopped for users, mark the incident with `/incident mitigated`.";
  return recordEvent(deps, incident.id, {
    type: "note",
    key: `mitigation-suggested:${approval.id}`,
    at: deps.clock.now(),
    actor: BOT,
    summary: text,
    details: { text },
  });
}
