import type { Phase } from "../domain/phase";
import type { Playbook, RemediationStep, Step } from "../domain/playbook";
import type { HostReport, StepResult } from "../domain/step-result";
import type { ProxyKindName } from "../domain/proxies/registry";
import type { UpstreamService } from "../domain/inventory";
import type { HostTarget } from "./remote-executor";

/**
 * The engine as the lifecycle sees it: find a playbook, resolve host names, run one host's steps,
 * run one remediation. main.ts wires it to the engine (src/engine/: playbook-runner.ts, host-steps.ts, remediation.ts)
 * with the SSH executor; unit tests use a fake. Shapes match the engine's ResolvedHost / StepHooks.
 */
export interface RunnerHost {
  name: string;
  target: HostTarget;
  /** The proxy on the host (inventory `kind:`): it runs its own kind's playbook. */
  kind: ProxyKindName;
  vars: Record<string, string | number>;
  /** The upstream service the proxy forwards to (inventory `upstreamService:`), if named. */
  upstreamService?: string;
}

export interface RunnerHooks {
  onStepStarted?(host: string, step: Step): Promise<void> | void;
  onStepFinished?(host: string, step: Step, result: StepResult): Promise<void> | void;
  shouldSkip?(host: string, step: Step): Promise<StepResult | null> | StepResult | null;
  /**
   * The host's triage steps are all in (run now, or recorded by an earlier attempt, so a retry
   * calls it again): their results and the findings they make, while the deeper steps still run.
   * Called only for a phase that has both triage and deeper command steps.
   */
  onTriage?(host: string, report: HostReport): Promise<void> | void;
  /**
   * Given, the deeper steps are held until it resolves: the triage steps go to the host as one
   * batch and the deeper ones as a second, sent then (the bot waits for its group's triage, so
   * the first answer is not slowed by other hosts' deeper steps). Absent, one batch carries both.
   */
  deeperStepsAfter?(host: string): Promise<void>;
}

export interface RemediationResult {
  precheck: StepResult;
  action: StepResult | null;
  verification: StepResult | null;
}

export interface PlaybookRunner {
  getPlaybook(id: string): Promise<Playbook | null>;
  /** An upstream service of the inventory's `services:` (absent: the inventory names none). */
  getService?(name: string): Promise<UpstreamService | null>;
  /** Expands groups and looks hosts up in the inventory; throws on unknown names. */
  resolveHosts(names: readonly string[]): Promise<RunnerHost[]>;
  runHostSteps(
    playbook: Playbook,
    steps: Step[],
    host: RunnerHost,
    hooks: RunnerHooks,
  ): Promise<HostReport>;
  /**
   * Runs an approved remediation with the commands exactly as approved (rendered when approval
   * was asked); `step` gives the timeouts, expectations and verification attempts.
   */
  runRemediation(
    step: RemediationStep,
    commands: { precheck: string; action: string; verify: string },
    host: RunnerHost,
  ): Promise<RemediationResult>;
  /** The exact commands a step will run on a host (shown on the approval card). */
  planCommands(
    playbook: Playbook,
    phase: Phase,
    host: RunnerHost,
  ): { stepId: string; commands: string[] }[];
}
