import { diagnoseFleet, diagnoseHost, type StepEvidence } from "../domain/diagnosis";
import type { Phase } from "../domain/phase";
import type { Playbook, Step, StepKind } from "../domain/playbook";
import type { HostReport, PlaybookRunReport, StepResult } from "../domain/step-result";
import type { RemoteExecutor } from "../ports/remote-executor";
import { isTriageStep, triageOrder } from "../domain/triage";
import { StepBatch, type BatchItem } from "./step-batch";
import { HostConnection, engineDefaults } from "./host-connection";
import type { EngineOptions } from "./host-connection";
import {
  PlaybookInputError,
  describeRemediation,
  hostVariables,
  notRun,
  renderCommand,
  runCommandStep,
  stepCommands,
  type StepLimits,
} from "./step-commands";

import type {
  RunnerHooks as StepHooks,
  RunnerHost as ResolvedHost,
} from "../ports/playbook-runner";

export { engineDefaults, type EngineOptions } from "./host-connection";
import { isUnreachable } from "../domain/step-result";
export { PlaybookInputError } from "./step-commands";

// The engine's view of a host and its hooks are the ones the lifecycle's port declares, so the
// queue and the CLI hand the engine the same shapes.
export type {
  RunnerHost as ResolvedHost,
  RunnerHooks as StepHooks,
} from "../ports/playbook-runner";

/** The log window parsers look at: the playbook's `log_window_minutes` variable, else 15. */
const WINDOW_VARIABLE = "log_window_minutes";
const DEFAULT_WINDOW_MINUTES = 15;

/**
 * Runs steps on one host, in order, over one connection. Never throws for host trouble: an
 * unreachable host, refused auth or a timeout become `error` results with the reason. Diagnostic
 * steps are `ok` whatever they found; checks are `ok`/`failed`; remediations wait for approval;
 * manual items are `skipped` (a human ticks them).
 */
export async function runHostSteps(
  executor: RemoteExecutor,
  playbook: Playbook,
  steps: Step[],
  host: ResolvedHost,
  hooks: StepHooks = {},
  options: EngineOptions = {},
): Promise<HostReport> {
  return (await runHost(executor, playbook, steps, host, hooks, options)).report;
}

async function runHost(
  executor: RemoteExecutor,
  playbook: Playbook,
  steps: Step[],
  host: ResolvedHost,
  hooks: StepHooks,
  options: EngineOptions,
): Promise<{ report: HostReport; reachable: boolean }> {
  const { values, problems } = hostVariables(playbook, host.vars);
  const connectTimeoutMs = options.connectTimeoutMs ?? engineDefaults.connectTimeoutMs;
  const connection = new HostConnection(executor, host.target, connectTimeoutMs);
  const limits = {
    defaultStepTimeoutMs: options.defaultStepTimeoutMs ?? engineDefaults.defaultStepTimeoutMs,
    maxOutputBytes: options.maxOutputBytes ?? engineDefaults.maxOutputBytes,
  };
  const { ordered, triage } = triageOrder(steps);
  const diagnose = (of: Step[], results: StepResult[]): HostReport["findings"] =>
    diagnoseHost(evidenceOf(of, results), {
      windowMinutes: Number(values[WINDOW_VARIABLE] ?? DEFAULT_WINDOW_MINUTES),
      nowMs: options.nowMs?.() ?? Date.now(),
    });
  const results: StepResult[] = [];
  const walk: Walk = { connection, host, values, problems, limits, hooks, results };
  try {
    // One batch, triage steps first: the host starts the deeper steps while the triage findings
    // are reported, and the whole phase still costs one channel; or two, when the caller holds
    // the deeper steps back (deeperStepsAfter).
    if (hooks.deeperStepsAfter && triage.length > 0) {
      await runInOrder(walk, ordered.slice(0, triage.length));
      await reportTriage(walk, triage, diagnose);
      await hooks.deeperStepsAfter(host.name);
      await runInOrder(walk, ordered.slice(triage.length));
    } else {
      await runInOrder(walk, ordered, () =>
        results.length === triage.length ? reportTriage(walk, triage, diagnose) : undefined,
      );
    }
  } finally {
    await connection.close();
  }
  const reachable = connection.reachable || !results.some(isUnreachable);
  const findings = diagnose(steps, results);
  const byId = new Map(results.map((r) => [r.id, r]));
  const inPlaybookOrder = steps.flatMap((step) => byId.get(step.id) ?? []);
  return { report: { host: host.name, steps: inPlaybookOrder, findings }, reachable };
}

/** What walking a host's steps needs, and the results so far (in the order they ran). */
interface Walk {
  connection: HostConnection;
  host: ResolvedHost;
  values: Record<string, string>;
  problems: string[];
  limits: StepLimits;
  hooks: StepHooks;
  results: StepResult[];
}

/** Runs `steps` in order through one batch (steps it cannot carry run alone), hooks per step. */
async function runInOrder(
  walk: Walk,
  steps: Step[],
  afterEach: () => Promise<void> | undefined = () => undefined,
): Promise<void> {
  const { connection, host, values, problems, limits, hooks, results } = walk;
  const { recorded, batch } = await startBatch(connection, steps, host, values, problems, {
    hooks,
    limits,
  });
  for (const step of steps) {
    const skipped = recorded.has(step.id)
      ? recorded.get(step.id)
      : await hooks.shouldSkip?.(host.name, step);
    if (skipped) {
      results.push(skipped);
    } else {
      if (batch?.has(step.id)) await batch.started(step.id);
      await hooks.onStepStarted?.(host.name, step);
      const result =
        (await batch?.result(step.id)) ??
        (await runStep(connection, step, values, problems, limits));
      results.push(result);
      await hooks.onStepFinished?.(host.name, step, result);
    }
    await afterEach();
  }
}

/** The triage steps (the first results) are in: their findings go to onTriage. */
async function reportTriage(
  walk: Walk,
  triage: Step[],
  diagnose: (of: Step[], results: StepResult[]) => HostReport["findings"],
): Promise<void> {
  if (triage.length === 0) return;
  const triaged = walk.results.slice(0, triage.length);
  const findings = diagnose(triage, triaged);
  await walk.hooks.onTriage?.(walk.host.name, { host: walk.host.name, steps: triaged, findings });
}

/**
 * Sends the host's command steps that still need running as one batch (one SSH channel instead
 * of one per step). `shouldSkip` is asked here, in order, for those steps only (a query for
 * them); the others are asked in the main loop as before, so a remediation is still marked
 * awaiting approval in its turn. A single command is not worth the driver: it runs alone.
 */
async function startBatch(
  connection: HostConnection,
  steps: Step[],
  host: ResolvedHost,
  values: Record<string, string>,
  problems: string[],
  how: { hooks: StepHooks; limits: StepLimits },
): Promise<{ recorded: Map<string, StepResult | null>; batch: StepBatch | null }> {
  const recorded = new Map<string, StepResult | null>();
  if (problems.length > 0) return { recorded, batch: null };
  const items: BatchItem[] = [];
  for (const step of steps) {
    if (step.kind !== "diagnostic" && step.kind !== "check") continue;
    const skipped = (await how.hooks.shouldSkip?.(host.name, step)) ?? null;
    recorded.set(step.id, skipped);
    const command = skipped ? null : tryRender(step.run, values);
    if (command !== null) items.push({ step, command });
  }
  const batch = items.length > 1 ? new StepBatch(connection, items, how.limits) : null;
  return { recorded, batch };
}

/** Null when the template does not render: the step then reports why when run alone. */
function tryRender(template: string, values: Record<string, string>): string | null {
  try {
    return renderCommand(template, values);
  } catch {
    // Not a failure of the batch: runStep renders it again and turns the error into the result.
    return null;
  }
}

async function runStep(
  connection: HostConnection,
  step: Step,
  values: Record<string, string>,
  problems: string[],
  limits: StepLimits,
): Promise<StepResult> {
  if (step.kind === "manual") {
    return notRun(step.id, "skipped", "manual checklist item: a responder ticks it off");
  }
  if (problems.length > 0) {
    return notRun(step.id, "error", `invalid variables: ${problems.join("; ")}`);
  }
  if (step.kind === "remediation") {
    const plan = describeRemediation(step, values);
    return notRun(step.id, "awaiting-approval", "needs a human's approval before it runs", plan);
  }
  return runCommandStep(connection, step, values, limits);
}

function evidenceOf(steps: Step[], results: StepResult[]): StepEvidence[] {
  const byId = new Map(results.map((result) => [result.id, result]));
  return steps.flatMap((step) => {
    const result = byId.get(step.id);
    if (!result || (step.kind !== "diagnostic" && step.kind !== "check") || !step.parse) return [];
    const { status, exitCode, output } = result;
    return [{ stepId: step.id, parser: step.parse, status, exitCode, output }];
  });
}

/**
 * Runs one phase of a playbook on every host, hosts in parallel up to `concurrency`, then
 * diagnoses the fleet. Host order in the report is the input order.
 */
export async function runPlaybook(
  deps: { executor: RemoteExecutor; nowMs(): number },
  input: {
    playbook: Playbook;
    phase: Phase;
    hosts: ResolvedHost[];
    concurrency?: number;
    /** Only the phase's triage steps, and their diagnosis. */
    triageOnly?: boolean;
  },
  hooks: StepHooks = {},
  options: EngineOptions = {},
): Promise<PlaybookRunReport> {
  const phaseSteps = input.playbook.phases[input.phase] ?? [];
  const steps = input.triageOnly ? phaseSteps.filter(isTriageStep) : phaseSteps;
  const limit = Math.max(1, input.concurrency ?? engineDefaults.concurrency);
  const outcomes = await mapWithLimit(input.hosts, limit, (host) =>
    runHost(deps.executor, input.playbook, steps, host, hooks, { nowMs: deps.nowMs, ...options }),
  );
  const diagnosis = diagnoseFleet(
    outcomes.map(({ report, reachable }, i) => ({
      host: report.host,
      kind: input.hosts[i]?.kind,
      reachable,
      findings: report.findings,
    })),
  );
  return {
    playbook: input.playbook.id,
    phase: input.phase,
    hosts: outcomes.map((outcome) => outcome.report),
    diagnosis,
  };
}

async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The exact commands each step of a phase would run on a host (for `--dry-run` and approval
 * messages). Throws PlaybookInputError when the host's variables do not fit the playbook.
 */
export function planCommands(
  playbook: Playbook,
  phase: Phase,
  host: ResolvedHost,
): { stepId: string; kind: StepKind; commands: string[] }[] {
  const { values, problems } = hostVariables(playbook, host.vars);
  if (problems.length > 0) {
    throw new PlaybookInputError(`${host.name}: ${problems.join("; ")}`);
  }
  return (playbook.phases[phase] ?? []).map((step) => ({
    stepId: step.id,
    kind: step.kind,
    commands: stepCommands(step, values),
  }));
}
