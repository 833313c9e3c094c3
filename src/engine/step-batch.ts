import type { StepResult } from "../domain/step-result";
import type { HostConnection } from "./host-connection";
import { commandHow, judgeAttempt, type CommandStep, type StepLimits } from "./step-commands";

/** A command step ready to go: its id, rendered command and limits. */
export interface BatchItem {
  step: CommandStep;
  command: string;
}

interface Entry {
  id: string;
  how: ReturnType<typeof commandHow>;
  startedAt: number | null;
  settled: boolean;
  started: Deferred<void>;
  result: Deferred<StepResult | null>;
}

/**
 * A host's command steps sent as one batch (one SSH channel) as soon as it is built. The engine
 * walks the phase in order and, per step, waits for `started` then `result`, so its hooks fire
 * per step, in order, as each step's frames stream in. `result` is null for a step the batch did
 * not run to an end (no batch support, host unreachable, driver trouble): the engine runs that
 * step alone, as it did before batching. The step in flight when the connection broke gets the
 * same error a single command would.
 */
export class StepBatch {
  private readonly entries: Entry[];
  private readonly byId = new Map<string, Entry>();

  constructor(connection: HostConnection, items: readonly BatchItem[], limits: StepLimits) {
    const prepared = items.map(({ step, command }) => ({ command, how: commandHow(step, limits) }));
    this.entries = items.map(({ step }, index) => ({
      id: step.id,
      how: prepared[index]?.how ?? commandHow(step, limits),
      startedAt: null,
      settled: false,
      started: deferred<void>(),
      result: deferred<StepResult | null>(),
    }));
    for (const entry of this.entries) this.byId.set(entry.id, entry);
    const requests = prepared.map(({ command, how }) => ({
      command,
      timeoutMs: how.timeoutMs,
      maxOutputBytes: how.maxOutputBytes,
    }));
    void connection
      .runBatch(requests, {
        started: (index) => this.onStarted(index),
        finished: (index, outcome) =>
          this.settle(index, (entry) => judgeAttempt(entry.id, { ran: true, outcome }, entry.how)),
      })
      .then((attempt) => {
        this.entries.forEach((entry, index) => {
          const lost = attempt.kind === "lost" && entry.startedAt !== null;
          this.settle(index, () => (lost ? this.lostResult(entry, attempt) : null));
        });
      });
  }

  has(stepId: string): boolean {
    return this.byId.has(stepId);
  }

  /** Resolves when the host starts the step (or the batch ended without it). */
  started(stepId: string): Promise<void> {
    return this.byId.get(stepId)?.started.promise ?? Promise.resolve();
  }

  /** The step's result, or null when it must be run alone. */
  result(stepId: string): Promise<StepResult | null> {
    return this.byId.get(stepId)?.result.promise ?? Promise.resolve(null);
  }

  private onStarted(index: number): void {
    const entry = this.entries[index];
    if (!entry || entry.settled) return;
    entry.startedAt = Date.now();
    entry.started.resolve();
  }

  private settle(index: number, make: (entry: Entry) => StepResult | null): void {
    const entry = this.entries[index];
    if (!entry || entry.settled) return;
    entry.settled = true;
    entry.started.resolve();
    entry.result.resolve(make(entry));
  }

  private lostResult(entry: Entry, attempt: { reason?: string }): StepResult {
    const durationMs = entry.startedAt === null ? 0 : Date.now() - entry.startedAt;
    const reason = attempt.reason ?? "connection lost while running";
    return { id: entry.id, status: "error", exitCode: null, durationMs, output: "", reason };
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
