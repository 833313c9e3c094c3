/**
 * Every key the store writes, under one prefix per deployment (tests use a fresh prefix each).
 * Ids are validated upstream (no spaces); ':' separates parts.
 */
export function redisKeys(prefix: string) {
  return {
    incident: (id: string) => `${prefix}:incident:${id}`,
    allIncidents: `${prefix}:incidents:all`,
    openIncidents: `${prefix}:incidents:open`,
    channel: (channel: string) => `${prefix}:channel:${channel}`,
    timeline: (id: string) => `${prefix}:timeline:${id}`,
    /** timeline(id) is this and the id (the alert claim's script builds it in Lua). */
    timelinePrefix: `${prefix}:timeline:`,
    timelineKeys: (id: string) => `${prefix}:timeline:${id}:keys`,
    /** The key name predates the delivery log: kept so an upgrade does not resend messages. */
    deliveries: (id: string) => `${prefix}:timeline:${id}:announced`,
    run: (runId: string) => `${prefix}:run:${runId}`,
    runCounter: (incidentId: string) => `${prefix}:runs:${incidentId}:n`,
    runSteps: (runId: string, host: string) => `${prefix}:run:${runId}:steps:${host}`,
    runReports: (runId: string) => `${prefix}:run:${runId}:reports`,
    runTriage: (runId: string) => `${prefix}:run:${runId}:triage`,
    approval: (id: string) => `${prefix}:approval:${id}`,
    approvalDecision: (id: string) => `${prefix}:approval:${id}:decision`,
    approvalClaim: (id: string, host: string) => `${prefix}:approval:${id}:claim:${host}`,
    approvalOutcomes: (id: string) => `${prefix}:approval:${id}:outcomes`,
    approvalGrants: (id: string) => `${prefix}:approval:${id}:grants`,
    hostRemediationLock: (host: string) => `${prefix}:remediation-lock:${host}`,
    approvalCard: (id: string) => `${prefix}:approval:${id}:card`,
    incidentApprovals: (incidentId: string) => `${prefix}:approvals:${incidentId}`,
    /** `digest`: a hash of the alert's dedupe key, which may hold any character. */
    alertClaim: (integration: string, digest: string) => `${prefix}:alert:${integration}:${digest}`,
    alertDelivery: (integration: string, id: string) =>
      `${prefix}:alert-delivery:${integration}:${id}`,
    incidentKeyPrefix: `${prefix}:incident:`,
    alertDeclares: `${prefix}:alert-declares`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
