import { z } from "zod";
import type { Severity } from "../severity";
import type { AlertNotice } from "./alert-notice";

/**
 * Alertmanager's webhook body, version 4 (notify/webhook in prometheus/alertmanager: the template
 * data plus version, groupKey and truncatedAlerts). Fields the bot does not read are let through
 * unchecked, so a newer Alertmanager that adds some still parses.
 */
const Labels = z.record(z.string(), z.string());
const AlertStatus = z.enum(["firing", "resolved"]);

export const AlertmanagerAlert = z.object({
  status: AlertStatus,
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const AlertmanagerPayload = z.object({
  version: z.literal("4"),
  groupKey: z.string().min(1).max(1000),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: AlertStatus,
  receiver: z.string(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(AlertmanagerAlert).min(1).max(1000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

/** The `severity` label, as the contract maps it. */
export function alertmanagerSeverity(label: string | undefined): Severity {
  switch (label?.toLowerCase()) {
    case "critical":
      return "sev1";
    case "error":
    case "warning":
      return "sev2";
    case "info":
      return "sev3";
    default:
      return "sev2";
  }
}

/** What the group says: title, severity, the hosts its alerts name, and a link back. */
export function readAlertmanager(payload: AlertmanagerPayload): AlertNotice {
  const first = payload.alerts[0];
  const alertName =
    payload.commonLabels.alertname ?? payload.groupLabels.alertname ?? first?.labels.alertname;
  const title = payload.commonAnnotations.summary ?? alertName ?? "Alertmanager alert";
  const hostHints = payload.alerts.flatMap((alert) => {
    const hint = alert.labels.instance ?? alert.labels.host;
    return hint ? [hint] : [];
  });
  const url = first?.generatorURL || payload.externalURL || null;
  return {
    integration: "alertmanager",
    dedupeKey: payload.groupKey,
    deliveryId: null,
    status: payload.status,
    title: title.trim() || "Alertmanager alert",
    severity: alertmanagerSeverity(payload.commonLabels.severity ?? first?.labels.severity),
    hostHints,
    url,
  };
}
