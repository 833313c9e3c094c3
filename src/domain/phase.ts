import { z } from "zod";

/**
 * The incident's phases on its clock: immediate response (0-15 min), short-term (15-60 min),
 * long-term (1-24 h). A playbook groups its steps by these names.
 */
export const Phase = z.enum(["immediate", "short-term", "long-term"]);
export type Phase = z.infer<typeof Phase>;

export const phases: readonly Phase[] = Phase.options;

/** Where each phase starts and ends, in incident-clock minutes since declaration. */
export const phaseWindows: Record<Phase, { startMinute: number; endMinute: number }> = {
  immediate: { startMinute: 0, endMinute: 15 },
  "short-term": { startMinute: 15, endMinute: 60 },
  "long-term": { startMinute: 60, endMinute: 24 * 60 },
};
