import { readerFor } from "../proxies/registry";
import { DiagnosisContext, emptyEvidence, HostEvidence, StepEvidence } from "./evidence";

export type { DiagnosisContext, HostEvidence, StepEvidence } from "./evidence";

/** A step that could not run tells nothing about the host, only about our reach to it. */
const usable = (step: StepEvidence): boolean =>
  step.status !== "error" && step.status !== "skipped";

/** Every step's output read by the reader its `parse:` names (see src/domain/proxies/). */
export function collectHostEvidence(
  steps: readonly StepEvidence[],
  context: DiagnosisContext,
): HostEvidence {
  const evidence = emptyEvidence();
  for (const step of steps.filter(usable)) readerFor(step.parser)?.(step, context, evidence);
  return evidence;
}
