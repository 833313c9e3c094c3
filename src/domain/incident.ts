import { z } from "zod";
import { Phase } from "./phase";
import { Severity } from "./severity";

/** open → mitigated → resolved; open → resolved. Nothing leaves `resolved`. */
export const IncidentState = z.enum(["open", "mitigated", "resolved"]);
export type IncidentState = z.infer<typeof IncidentState>;

const allowedStateChanges: Record<IncidentState, readonly IncidentState[]> = {
  open: ["mitigated", "resolved"],
  mitigated: ["resolved"],
  resolved: [],
};

export function canChangeState(from: IncidentState, to: IncidentState): boolean {
  return allowedStateChanges[from].includes(to);
}

/** A person in chat (a Slack user ID, or the shell's `--user`), or the bot itself. */
export const Actor = z.union([
  z.object({ kind: z.literal("person"), id: z.string().min(1) }),
  z.object({ kind: z.literal("bot") }),
]);
export type Actor = z.infer<typeof Actor>;

export const BOT: Actor = { kind: "bot" };
export const person = (id: string): Actor => ({ kind: "person", id });

/** The alerting tools that can declare an incident through their webhooks. */
export const Integration = z.enum(["alertmanager", "pagerduty"]);
export type Integration = z.infer<typeof Integration>;

/**
 * Who or what declared an incident: a person in chat, or an integration's alert, with the key
 * that identifies the alert there (Alertmanager's groupKey, PagerDuty's incident id) and a link
 * back to it. Alert text is foreign: it is kept as sent and escaped wherever it is shown.
 */
export const IncidentSource = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("person"), id: z.string().min(1) }),
  z.object({
    kind: z.literal("integration"),
    integration: Integration,
    dedupeKey: z.string().min(1).max(1000),
    /** The alert's own name or title, as the integration sent it. */
    alert: z.string().max(500),
    url: z.string().max(2000).nullable(),
  }),
]);
export type IncidentSource = z.infer<typeof IncidentSource>;

/** Incident ids are readable, sortable and safe as BullMQ job-id parts (no ':' and not all digits). */
export const IncidentId = z.string().regex(/^inc-[0-9]{8}-[a-z0-9-]{1,60}$/);
export type IncidentId = z.infer<typeof IncidentId>;

export const Incident = z.object({
  id: IncidentId,
  title: z.string().min(1).max(200),
  severity: Severity,
  state: IncidentState,
  phase: Phase,
  commander: z.string().nullable(),
  declaredBy: z.string(),
  /** Host and group names as the declarer gave them (resolved against the inventory when used). */
  hosts: z.array(z.string()),
  /** The chat channel of this incident (Slack channel ID, or the shell's name). */
  channel: z.string().nullable(),
  /** The pinned incident message, updated in place. */
  messageRef: z.string().nullable(),
  declaredAt: z.number().int(),
  mitigatedAt: z.number().int().nullable(),
  resolvedAt: z.number().int().nullable(),
  summary: z.string().nullable(),
  /** The playbook the incident runs in each phase (optional: older records and manual incidents). */
  playbook: z.string().nullable().optional(),
  /** Absent on records older than alert intake: those were declared by `declaredBy`, a person. */
  source: IncidentSource.optional(),
  /** Bumped by every store update; optimistic concurrency (optional for records made by hand). */
  version: z.number().int().nonnegative().optional(),
});
export type Incident = z.infer<typeof Incident>;
