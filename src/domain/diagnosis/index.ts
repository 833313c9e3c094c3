import { Finding } from "../step-result";
import { collectHostEvidence, DiagnosisContext, StepEvidence } from "./host-evidence";
import { findingsFor } from "./host-findings";

/**
 * The diagnosis the engine calls: `diagnoseHost` per host with its steps' outputs, then
 * `diagnoseFleet` once for the incident. Pure: no I/O, no clock (the caller passes `nowMs`).
 */
export type { StepEvidence, DiagnosisContext } from "./host-evidence";
export type { FleetHostReport } from "./fleet";
export { diagnoseFleet, primaryCause } from "./fleet";

/**
 * The host's findings, its main cause first: the traffic cause (refused, timeout…), then
 * `config_invalid` when configtest fails (a broken config blocks every reload even when traffic is
 * fine), then `healthy` or `unknown` when no traffic cause was found. Never empty.
 */
export function diagnoseHost(evidence: StepEvidence[], context: DiagnosisContext): Finding[] {
  return findingsFor(collectHostEvidence(evidence, context));
}
