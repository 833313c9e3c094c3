import { createHash } from "node:crypto";

/**
 * Deterministic job ids: enqueueing the same work twice leaves one job. BullMQ refuses custom ids
 * containing ':' or made only of digits, so every id starts with a letter prefix and any ':' in a
 * part is replaced.
 */
const part = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, "_");

export const jobIds = {
  declare: (incidentId: string) => `dcl-${part(incidentId)}`,
  hostRun: (runId: string, host: string) => `hr-${part(runId)}-${part(host)}`,
  /**
   * The command digest is part of the id, and the job's incident too: a job that differs from the
   * approved one in anything is not deduplicated into it, so the worker sees and refuses it.
   */
  remediation: (job: {
    incidentId: string;
    approvalId: string;
    host: string;
    commandDigest: string;
  }) =>
    `rem-${part(job.approvalId)}-${part(job.host)}-${createHash("sha1")
      .update(`${job.incidentId}\n${job.commandDigest}`)
      .digest("hex")
      .slice(0, 16)}`,
  clockEntry: (incidentId: string, entryName: string) =>
    `clk-${part(incidentId)}-${part(entryName)}`,
  approvalExpiry: (approvalId: string) => `exp-${part(approvalId)}`,
  cardRefresh: (incidentId: string, bucket: number) => `card-${part(incidentId)}-${bucket}`,
  /** Event keys are free text, so they are hashed (per incident). */
  announce: (incidentId: string, eventKey: string) =>
    `ann-${createHash("sha1").update(`${incidentId}\n${eventKey}`).digest("hex")}`,
};
