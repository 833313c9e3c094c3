import { z } from "zod";
import type { Severity } from "../severity";
import type { AlertNotice } from "./alert-notice";

/**
 * A PagerDuty v3 webhook body: one event; for `incident.*` events about an incident, `data` is
 * the incident (id, title, html_url, urgency, priority…). Only what the bot reads is checked.
 */
const PagerDutyIncident = z.object({
  id: z.string().min(1).max(200),
  type: z.literal("incident"),
  title: z.string().max(1000).default(""),
  html_url: z.string().optional(),
  urgency: z.string().optional(),
  priority: z.object({ summary: z.string().optional() }).nullable().optional(),
});

export const PagerDutyWebhook = z.object({
  event: z.object({
    id: z.string().min(1).max(200),
    event_type: z.string().min(1),
    resource_type: z.string(),
    occurred_at: z.string().optional(),
    data: z.unknown(),
  }),
});
export type PagerDutyWebhook = z.infer<typeof PagerDutyWebhook>;

/** The event types the bot acts on; every other one is acknowledged and ignored. */
const ACTIONS: Record<string, AlertNotice["status"]> = {
  "incident.triggered": "firing",
  "incident.resolved": "resolved",
};

/** P1 → sev1, P2 → sev2, P3 and lower → sev3; without a priority, high urgency → sev2. */
export function pagerDutySeverity(incident: z.infer<typeof PagerDutyIncident>): Severity {
  const priority = /^P(\d+)$/i.exec(incident.priority?.summary ?? "");
  if (priority) {
    const level = Number(priority[1]);
    return level <= 1 ? "sev1" : level === 2 ? "sev2" : "sev3";
  }
  return incident.urgency === "low" ? "sev3" : "sev2";
}

/**
 * The notice for an event the bot acts on, null for one it ignores; an acted-on event whose data
 * is not an incident is an error with zod's issues.
 */
export function readPagerDuty(
  webhook: PagerDutyWebhook,
): { ok: true; notice: AlertNotice | null } | { ok: false; issues: z.core.$ZodIssue[] } {
  const status = ACTIONS[webhook.event.event_type];
  if (!status) return { ok: true, notice: null };
  const incident = PagerDutyIncident.safeParse(webhook.event.data);
  if (!incident.success) return { ok: false, issues: incident.error.issues };
  const data = incident.data;
  return {
    ok: true,
    notice: {
      integration: "pagerduty",
      dedupeKey: data.id,
      deliveryId: webhook.event.id,
      status,
      title: data.title.trim() || `PagerDuty incident ${data.id}`,
      severity: pagerDutySeverity(data),
      hostHints: [],
      url: data.html_url ?? null,
    },
  };
}
