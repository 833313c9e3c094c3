import { z } from "zod";
import { Cause } from "./cause";
import type { Step } from "./playbook";
import type { Diagnosis } from "./step-result";

/**
 * Triage: the few command steps a playbook marks `triage: true` (log windows, upstream probes,
 * configtest) decide the cause; they run first and their diagnosis is told at once, the deeper
 * steps follow and refine it.
 */
export function isTriageStep(step: Step): boolean {
  return (step.kind === "diagnostic" || step.kind === "check") && step.triage === true;
}

/**
 * The phase's steps with the triage steps first, each group in the playbook's order. Only a phase
 * that also has deeper command steps has a triage stage of its own: when every command step is a
 * triage step, the triage diagnosis is the final one.
 */
export function triageOrder(steps: readonly Step[]): { ordered: Step[]; triage: Step[] } {
  const triage = steps.filter(isTriageStep);
  const rest = steps.filter((step) => !isTriageStep(step));
  const deeper = rest.some((step) => step.kind === "diagnostic" || step.kind === "check");
  return { ordered: [...triage, ...rest], triage: deeper ? triage : [] };
}

export const DiagnosisStage = z.enum(["triage", "final"]);
export type DiagnosisStage = z.infer<typeof DiagnosisStage>;

/** What the final diagnosis changed against the triage one. */
export const Refinement = z.object({
  /** The triage diagnosis's main cause. */
  from: Cause,
  causeChanged: z.boolean(),
  /** Causes the final diagnosis names (main or other) that triage did not. */
  addedCauses: z.array(Cause),
  /** Hosts the main cause is on now that triage did not name for it. */
  addedHosts: z.array(z.string()),
});
export type Refinement = z.infer<typeof Refinement>;

export function refinementOf(triage: Diagnosis, final: Diagnosis): Refinement {
  const seen = new Set(causesOf(triage));
  const causeChanged = final.cause !== triage.cause;
  const before = new Set(causeChanged ? [] : triage.hosts);
  return {
    from: triage.cause,
    causeChanged,
    addedCauses: causesOf(final).filter((cause) => !seen.has(cause)),
    addedHosts: causeChanged ? [] : final.hosts.filter((host) => !before.has(host)),
  };
}

/** Did the deeper steps change anything a responder acts on? */
export function refinementMatters(refinement: Refinement): boolean {
  return (
    refinement.causeChanged || refinement.addedCauses.length > 0 || refinement.addedHosts.length > 0
  );
}

function causesOf(diagnosis: Diagnosis): Cause[] {
  return [diagnosis.cause, ...(diagnosis.others ?? []).map((other) => other.cause)];
}
