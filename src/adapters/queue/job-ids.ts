import { createHash } from "node:crypto";

/**
 * Deterministic job ids: enqueueing the same work twice leaves one job. BullMQ refuses custom ids
 * containing ':' or made only of digits, so every id starts with a letter prefix and any ':' in a
 * part is replaced.
 */
const part = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, "_");

export const jobIds = {
  hostRun: (runId: string, host: string) => `hr-${part(runId)}-${part(host)}`,
  remediation: (approvalId: string, host: string) => `rem-${part(approvalId)}-${part(host)}`,
  clockEntry: (incidentId: string, entryName: string) =>
    `clk-${part(incidentId)}-${part(entryName)}`,
  approvalExpiry: (approvalId: string) => `exp-${part(approvalId)}`,
  cardRefresh: (incidentId: string, bucket: number) => `card-${part(incidentId)}-${bucket}`,
  /** Event keys are free text, so they are hashed (per incident). */
  announce: (incidentId: string, eventKey: string) =>
    `ann-${createHash("sha1").update(`${incidentId}\n${eventKey}`).digest("hex")}`,
};
