import { parseDuration } from "../domain/duration";
import type { GuardedCommand, Playbook, RemediationStep, Step } from "../domain/playbook";
import { evaluateExpectation } from "../domain/playbook-expectation";
import { resolveVariables } from "../domain/playbook-variables";
import type { StepResult } from "../domain/step-result";
import { parseTemplate, renderTemplate } from "../domain/template";
import type { CommandAttempt, HostConnection } from "./host-connection";
import { joinOutput } from "./host-connection";

/** Bad input to the engine (variables that fail their types): retrying cannot help. */
export class PlaybookInputError extends Error {
  readonly code = "invalid-variables";
  readonly retryable = false;
}

/** Checked variable values of one host for one playbook, or the full list of problems. */
export function hostVariables(
  playbook: Playbook,
  hostVars: Record<string, string | number>,
  overrides: Record<string, string | number> = {},
): { values: Record<string, string>; problems: string[] } {
  return resolveVariables(playbook.vars, { hostVars, overrides });
}

export function renderCommand(template: string, values: Record<string, string>): string {
  return renderTemplate(parseTemplate(template), values);
}

/** The commands a step runs, in order: precheck, action and verification for a remediation. */
export function stepCommands(step: Step, values: Record<string, string>): string[] {
  switch (step.kind) {
    case "manual":
      return [];
    case "diagnostic":
    case "check":
      return [renderCommand(step.run, values)];
    case "remediation":
      return [step.precheck.run, step.run, step.verify.run].map((t) => renderCommand(t, values));
  }
}

export function timeoutOf(
  step: { timeout?: string | undefined },
  fallbackMs: number,
  guarded?: GuardedCommand,
): number {
  const text = guarded?.timeout ?? step.timeout;
  return text === undefined ? fallbackMs : parseDuration(text);
}

export interface StepLimits {
  defaultStepTimeoutMs: number;
  maxOutputBytes: number;
}

/** A result for a step that did not run on the host. */
export function notRun(
  id: string,
  status: "error" | "skipped" | "awaiting-approval",
  reason: string,
  output = "",
): StepResult {
  return { id, status, exitCode: null, durationMs: 0, output, reason };
}

/** Runs a diagnostic or check step's command and judges it. */
export async function runCommandStep(
  connection: HostConnection,
  step: CommandStep,
  values: Record<string, string>,
  limits: StepLimits,
): Promise<StepResult> {
  return runGuarded(connection, step.id, step.run, values, commandHow(step, limits));
}

export type CommandStep = Extract<Step, { kind: "diagnostic" | "check" }>;

/** A command step's timeout, cap and expectation (checks judge their output; diagnostics don't). */
export function commandHow(
  step: CommandStep,
  limits: StepLimits,
): { timeoutMs: number; maxOutputBytes: number; expect: GuardedCommand["expect"] | null } {
  return {
    timeoutMs: timeoutOf(step, limits.defaultStepTimeoutMs),
    maxOutputBytes: limits.maxOutputBytes,
    expect: step.kind === "check" ? step.expect : null,
  };
}

/**
 * Runs one command: `error` when it could not run or ran out of time, else `ok`, or `failed` when
 * an expectation is given and does not hold.
 */
export async function runGuarded(
  connection: HostConnection,
  id: string,
  template: string,
  values: Record<string, string>,
  how: { timeoutMs: number; maxOutputBytes: number; expect: GuardedCommand["expect"] | null },
): Promise<StepResult> {
  let command: string;
  try {
    command = renderCommand(template, values);
  } catch (error) {
    return notRun(id, "error", error instanceof Error ? error.message : String(error));
  }
  return runRendered(connection, id, command, how);
}

/** Runs a command already rendered (an approved remediation's, exactly as it was shown). */
export async function runRendered(
  connection: HostConnection,
  id: string,
  command: string,
  how: { timeoutMs: number; maxOutputBytes: number; expect: GuardedCommand["expect"] | null },
): Promise<StepResult> {
  const attempt = await connection.run(command, how.timeoutMs, how.maxOutputBytes);
  return judgeAttempt(id, attempt, how);
}

/** The result of a command that ran (or could not): error, ok, or failed against `expect`. */
export function judgeAttempt(
  id: string,
  attempt: CommandAttempt,
  how: { timeoutMs: number; expect: GuardedCommand["expect"] | null },
): StepResult {
  if (!attempt.ran) {
    const { exitCode, durationMs, reason } = attempt;
    return { id, status: "error", exitCode, durationMs, output: "", reason };
  }
  const { outcome } = attempt;
  const output = joinOutput(outcome);
  const base = {
    id,
    exitCode: outcome.exitCode,
    durationMs: Math.round(outcome.durationMs),
    output,
  };
  if (outcome.timedOut) {
    const reason = `timed out after ${how.timeoutMs / 1000}s; the command was ended on the host`;
    return { ...base, status: "error", reason };
  }
  if (!how.expect) return { ...base, status: "ok" };
  const verdict = evaluateExpectation(how.expect, { exitCode: outcome.exitCode, output });
  return verdict.passed
    ? { ...base, status: "ok" }
    : { ...base, status: "failed", reason: verdict.reason ?? "expectation not met" };
}

/** What a pending remediation shows: the exact commands it would run once approved. */
export function describeRemediation(step: RemediationStep, values: Record<string, string>): string {
  const [precheck, action, verify] = stepCommands(step, values);
  return `precheck: ${precheck}\nrun: ${action}\nverify: ${verify}`;
}
