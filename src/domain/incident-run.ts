import { z } from "zod";
import { Phase } from "./phase";

/**
 * One run of a playbook's phase on an incident's hosts. Run ids are safe as BullMQ job-id parts
 * (no ':' and not all digits): `run-<incident id>-<phase>-<n>`.
 */
export const IncidentRun = z.object({
  runId: z.string().regex(/^run-[a-z0-9-]{1,120}$/),
  incidentId: z.string(),
  playbook: z.string(),
  phase: Phase,
  /** Resolved inventory host names (groups expanded). */
  hosts: z.array(z.string()),
  startedAt: z.number().int(),
  requestedBy: z.string(),
  /**
   * The runs started with this one over a mixed fleet, one per proxy kind, this one included (absent:
   * it ran alone). The phase's diagnosis waits for all of them and covers all their hosts.
   */
  siblings: z.array(z.string()).optional(),
  /** A run over an upstream service's hosts (inventory `services:`): the service's name. */
  service: z.string().optional(),
});
export type IncidentRun = z.infer<typeof IncidentRun>;

export function runIdFor(incidentId: string, phase: Phase, n: number): string {
  return `run-${incidentId}-${phase}-${n}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}
