import { parseDuration } from "../domain/duration";
import type { RemediationStep } from "../domain/playbook";
import type { StepResult } from "../domain/step-result";
import type { RemoteExecutor } from "../ports/remote-executor";
import { HostConnection, engineDefaults } from "./host-connection";
import type { EngineOptions } from "./host-connection";
import { runRendered, timeoutOf } from "./step-commands";
import type { ResolvedHost } from "./host-steps";

/** The rendered commands an approval showed for one host; they run as they are. */
export interface ApprovedCommands {
  precheck: string;
  action: string;
  verify: string;
}

export interface RemediationOutcome {
  precheck: StepResult;
  /** Null when the precheck did not pass: the action never ran. */
  action: StepResult | null;
  /** Null when the action did not run to completion. */
  verification: StepResult | null;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs an approved remediation on one host: precheck → action → verification, over one
 * connection, with the commands exactly as the approval rendered them (nothing is re-rendered
 * from today's playbook or inventory). The action runs only when the precheck passed (configtest
 * before any reload); the verification is tried up to `verify.attempts` times, `verify.interval`
 * apart. Timeouts and expectations come from the step as it was when approval was asked.
 */
export async function runRemediation(
  executor: RemoteExecutor,
  step: RemediationStep,
  commands: ApprovedCommands,
  host: ResolvedHost,
  options: EngineOptions = {},
): Promise<RemediationOutcome> {
  const ids = { precheck: `${step.id}.precheck`, action: step.id, verify: `${step.id}.verify` };
  const connectTimeoutMs = options.connectTimeoutMs ?? engineDefaults.connectTimeoutMs;
  const connection = new HostConnection(executor, host.target, connectTimeoutMs);
  const maxOutputBytes = options.maxOutputBytes ?? engineDefaults.maxOutputBytes;
  const fallbackMs = options.defaultStepTimeoutMs ?? engineDefaults.defaultStepTimeoutMs;
  try {
    const precheck = await runRendered(connection, ids.precheck, commands.precheck, {
      timeoutMs: timeoutOf(step, fallbackMs, step.precheck),
      maxOutputBytes,
      expect: step.precheck.expect,
    });
    if (precheck.status !== "ok") return { precheck, action: null, verification: null };
    const action = await runRendered(connection, ids.action, commands.action, {
      timeoutMs: timeoutOf(step, fallbackMs),
      maxOutputBytes,
      expect: {},
    });
    if (action.status === "error") return { precheck, action, verification: null };
    const verification = await verify(connection, step, commands.verify, ids.verify, {
      timeoutMs: timeoutOf(step, fallbackMs, step.verify),
      maxOutputBytes,
      sleep: options.sleep ?? sleepFor,
    });
    return { precheck, action, verification };
  } finally {
    await connection.close();
  }
}

async function verify(
  connection: HostConnection,
  step: RemediationStep,
  command: string,
  id: string,
  how: { timeoutMs: number; maxOutputBytes: number; sleep(ms: number): Promise<void> },
): Promise<StepResult> {
  const { attempts, interval, expect } = step.verify;
  let last: StepResult | null = null;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (attempt > 1) await how.sleep(parseDuration(interval));
    last = await runRendered(connection, id, command, { ...how, expect });
    if (last.status === "ok" || last.status === "error") return last;
  }
  // attempts >= 1 (schema), so `last` is set; the reason says how often it was tried.
  const result = last as StepResult;
  return { ...result, reason: `${result.reason ?? "not met"} (after ${attempts} attempts)` };
}
