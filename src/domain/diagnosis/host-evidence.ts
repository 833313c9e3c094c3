import { kindOfParser, proxyKind, readerFor } from "../proxies/registry";
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
  const used = steps.filter(usable);
  for (const step of used) readerFor(step.parser)?.(step, context, evidence);
  const kinds = new Set(used.flatMap((step) => kindOfParser(step.parser) ?? []));
  for (const kind of kinds) proxyKind(kind).refine?.(evidence);
  return evidence;
}
