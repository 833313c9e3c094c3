import { declareIncident } from "../../src/app/declare-incident";
import { resolveIncident } from "../../src/app/resolve-incident";
import { Playbook } from "../../src/domain/playbook";
import { clockEntries, DEFAULT_REMINDERS } from "../../src/domain/phase-clock";
import { benchRuntime } from "./bench-runtime";
import { percentile } from "./stats";

export interface TimerRun {
  incidents: number;
  expected: number;
  fired: number;
  /** fired − scheduled, ms, sorted. */
  lateness: number[];
  declareMs: number;
}

/** Only the manual long-term checklist: the clock is what this bench exercises. */
const clockOnly = Playbook.parse({
  id: "bench-clock",
  title: "Clock only",
  description: "A playbook without host steps, so only timers and announcements load the worker.",
  phases: { "long-term": [{ id: "follow-up", title: "Follow up", kind: "manual" }] },
});

/**
 * N open incidents on one worker (bot and workers in this process, like `npm start`), declared as
 * fast as the use case allows; every phase change and reminder of the first clock hour is
 * measured from the timeline (event time − scheduledAt). Then every incident is resolved.
 */
export async function timerAccuracyRun(input: {
  redisUrl: string;
  prefix: string;
  incidents: number;
  phaseMinuteMs: number;
  untilMinute: number;
}): Promise<TimerRun> {
  const runtime = await benchRuntime({
    redisUrl: input.redisUrl,
    prefix: input.prefix,
    playbook: clockOnly,
    hosts: [],
    phaseMinuteMs: input.phaseMinuteMs,
    workers: true,
  });
  try {
    const started = performance.now();
    const declared = await declareAll(runtime.deps, input.incidents);
    const declareMs = performance.now() - started;
    const window = input.untilMinute * input.phaseMinuteMs;
    const lastDue = Math.max(...declared.map((d) => d.declaredAt)) + window;
    await new Promise((r) => setTimeout(r, Math.max(0, lastDue - Date.now()) + 2000));
    const lateness: number[] = [];
    for (const { id, declaredAt } of declared) {
      for (const e of await runtime.deps.timeline.read(id)) {
        const due =
          e.type === "status-update" || e.type === "phase-changed"
            ? e.details.scheduledAt
            : undefined;
        // Only this incident's first clock hour: later timers are not waited for.
        if (due !== undefined && due <= declaredAt + window) lateness.push(e.at - due);
      }
    }
    for (const { id } of declared) {
      await resolveIncident(runtime.deps, { incident: { incidentId: id }, by: "bench" });
    }
    const perIncident = clockEntries(DEFAULT_REMINDERS).filter(
      (e) => e.minute <= input.untilMinute,
    ).length;
    return {
      incidents: input.incidents,
      expected: perIncident * input.incidents,
      fired: lateness.length,
      lateness: lateness.sort((a, b) => a - b),
      declareMs,
    };
  } finally {
    await runtime.close();
  }
}

async function declareAll(
  deps: Parameters<typeof declareIncident>[0],
  n: number,
): Promise<{ id: string; declaredAt: number }[]> {
  const ids: { id: string; declaredAt: number }[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const result = await declareIncident(deps, {
        title: `bench ${i}`,
        hosts: [],
        declaredBy: "bench",
      });
      if (!result.ok) throw new Error(result.message);
      ids.push({ id: result.value.incident.id, declaredAt: result.value.incident.declaredAt });
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return ids;
}

export function summarizeTimers(run: TimerRun) {
  const within1s = run.lateness.filter((l) => l <= 1000).length;
  return {
    p50: percentile(run.lateness, 50),
    p95: percentile(run.lateness, 95),
    p99: percentile(run.lateness, 99),
    max: run.lateness[run.lateness.length - 1] ?? Number.NaN,
    onTimeShare: run.expected === 0 ? 1 : within1s / run.expected,
    missing: run.expected - run.fired,
  };
}
