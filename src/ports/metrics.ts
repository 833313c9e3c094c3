/**
 * What the use cases count (Prometheus in production, nothing in unit tests). Labels are small
 * closed sets: never an incident, run or user id.
 */
export interface Metrics {
  /** `source`: person, alertmanager or pagerduty. */
  incidentDeclared(source: string, severity: string): void;
  /** `kind`: the step's kind (diagnostic, check, remediation); `outcome`: its status. */
  stepFinished(playbook: string, kind: string, outcome: string, seconds: number): void;
  approvalDecided(decision: "approved" | "denied"): void;
  /** `status`: what became of the delivery (declared, repeat, resolved, duplicate, rejected…). */
  alertReceived(source: string, status: string): void;
  /** Seconds from the declare to the incident's first diagnosis. */
  firstDiagnosis(seconds: number): void;
  /** An event the chat was never told of, after the announce job's last attempt. */
  announcementFailed(): void;
}

export const NO_METRICS: Metrics = {
  incidentDeclared: () => undefined,
  stepFinished: () => undefined,
  approvalDecided: () => undefined,
  alertReceived: () => undefined,
  firstDiagnosis: () => undefined,
  announcementFailed: () => undefined,
};
