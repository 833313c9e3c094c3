import { declareIncident } from "../../src/app/declare-incident";
import { runPlaybook } from "../../src/engine/host-steps";
import { Playbook } from "../../src/domain/playbook";
import { benchRuntime, hostsNamed, noopExecutor } from "./bench-runtime";

/** Five read-only steps per host; with the no-op executor each costs only the lifecycle's work. */
export const fiveSteps = Playbook.parse({
  id: "bench-steps",
  title: "Five no-op steps",
  description: "Measures the queue, the store and the timeline per step.",
  phases: {
    immediate: ["a", "b", "c", "d", "e"].map((id) => ({
      id: `step-${id}`,
      title: `Step ${id}`,
      kind: "diagnostic",
      run: "true",
    })),
  },
});

export interface ThroughputRun {
  steps: number;
  queuedMs: number;
  directMs: number;
}

/**
 * The same hosts × steps twice: through the lifecycle (declare → one BullMQ job per host → every
 * step recorded in Redis and the timeline → diagnosis) and directly through the engine in memory
 * (the baseline: what the steps cost without queue, store and timeline).
 */
export async function stepThroughputRun(input: {
  redisUrl: string;
  prefix: string;
  hosts: number;
}): Promise<ThroughputRun> {
  const hosts = hostsNamed(Array.from({ length: input.hosts }, (_, i) => `h${i}`));
  const runtime = await benchRuntime({
    redisUrl: input.redisUrl,
    prefix: input.prefix,
    playbook: fiveSteps,
    hosts,
    phaseMinuteMs: 3_600_000,
    workers: true,
  });
  try {
    await Promise.all(runtime.workers?.workers.map((w) => w.waitUntilReady()) ?? []);
    const started = performance.now();
    const declared = await declareIncident(runtime.deps, {
      title: "throughput",
      hosts: hosts.map((h) => h.name),
      declaredBy: "bench",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    for (;;) {
      const key = `diagnosis:${declared.value.runId ?? ""}`;
      if (await runtime.deps.timeline.getByKey(id, key)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const queuedMs = performance.now() - started;
    const direct = performance.now();
    await runPlaybook(
      { executor: noopExecutor, nowMs: () => Date.now() },
      { playbook: fiveSteps, phase: "immediate", hosts, concurrency: 8 },
    );
    const directMs = performance.now() - direct;
    return { steps: input.hosts * 5, queuedMs, directMs };
  } finally {
    await runtime.close();
  }
}
