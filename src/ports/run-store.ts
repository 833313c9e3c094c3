import type { IncidentRun } from "../domain/incident-run";
import type { HostReport, StepResult } from "../domain/step-result";

/** The working state of playbook runs: recorded step results, so a retried job skips them. */
export interface RunStore {
  /** False when the run exists already. */
  createRun(run: IncidentRun): Promise<boolean>;
  getRun(runId: string): Promise<IncidentRun | null>;
  /** How many runs the incident has had (a counter, for the next run id). */
  nextRunNumber(incidentId: string): Promise<number>;
  recordStepResult(runId: string, host: string, result: StepResult): Promise<void>;
  stepResults(runId: string, host: string): Promise<Record<string, StepResult>>;
  /**
   * Stores the host's report and marks it finished, atomically: `finished` counts distinct finished
   * hosts, so exactly the call that completes the set sees finished === total (and a retry of it).
   */
  finishHost(runId: string, report: HostReport): Promise<{ finished: number; total: number }>;
  hostReports(runId: string): Promise<HostReport[]>;
  /**
   * Stores the host's triage report (its triage steps and their findings), atomically like
   * finishHost: `triaged` counts distinct hosts, so the call that completes the set sees
   * triaged === total. A repeat for the same host replaces its report and counts once.
   */
  recordTriage(runId: string, report: HostReport): Promise<{ triaged: number; total: number }>;
  triageReports(runId: string): Promise<HostReport[]>;
}
