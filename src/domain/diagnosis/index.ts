import { ParserName } from "./parser-name";
import { Diagnosis, Finding, StepStatus } from "../step-result";

/**
 * The diagnosis entry points the engine calls. Work in progress: the bodies are placeholders until
 * the parsers and rules land; the signatures are final.
 */
export interface StepEvidence {
  stepId: string;
  parser: ParserName;
  status: StepStatus;
  exitCode: number | null;
  /** stdout followed by stderr, capped (may end with a truncation marker line). */
  output: string;
}

export interface DiagnosisContext {
  windowMinutes: number;
  nowMs: number;
}

export function diagnoseHost(evidence: StepEvidence[], context: DiagnosisContext): Finding[] {
  void evidence;
  void context;
  return [{ cause: "unknown", evidence: [], confidence: 0 }];
}

export interface FleetHostReport {
  host: string;
  reachable: boolean;
  findings: Finding[];
}

export function diagnoseFleet(reports: FleetHostReport[]): Diagnosis {
  return {
    cause: "unknown",
    hosts: reports.map((r) => r.host),
    summary: "Diagnosis not implemented yet.",
    recommendation: "Read the step outputs.",
  };
}
