import type { Phase } from "./phase";
import type { TimelineEvent } from "./timeline";

/**
 * Figures a postmortem and every status update quote, derived from the timeline alone. Times are
 * in real milliseconds since declaration; targets are in incident-clock minutes and converted with
 * the same PHASE_MINUTE_MS as the clock, so a shrunken clock compares like with like.
 */
export interface KeyFigureTargets {
  /** First response (first diagnosis) within this many minutes of declaration: 15. */
  firstResponseMinutes: number;
  /** Recovery (mitigation) within this many minutes of declaration: 10. */
  recoveryMinutes: number;
}

export const RUNBOOK_TARGETS: KeyFigureTargets = { firstResponseMinutes: 15, recoveryMinutes: 10 };

export interface KeyFigures {
  declaredAt: number | null;
  toFirstDiagnosisMs: number | null;
  toMitigationMs: number | null;
  toResolveMs: number | null;
  /** Time spent in each phase so far (up to `now`, or to resolution). */
  perPhaseMs: Record<Phase, number>;
  firstResponseMet: boolean | null;
  recoveryMet: boolean | null;
  targets: KeyFigureTargets;
}

export function keyFigures(
  events: readonly TimelineEvent[],
  now: number,
  phaseMinuteMs: number,
  targets: KeyFigureTargets = RUNBOOK_TARGETS,
): KeyFigures {
  const declared = events.find((e) => e.type === "declared");
  const start = declared?.at ?? null;
  const since = (at: number | undefined): number | null =>
    start === null || at === undefined ? null : at - start;
  const firstDiagnosis = since(events.find((e) => e.type === "diagnosis")?.at);
  const mitigated = since(
    events.find((e) => e.type === "state-changed" && e.details.to === "mitigated")?.at,
  );
  const resolvedEvent = events.find((e) => e.type === "resolved");
  const resolved = since(resolvedEvent?.at);
  // Resolving without a separate mitigation still ends the outage.
  const recovery = mitigated ?? resolved;
  const end = resolvedEvent?.at ?? now;
  return {
    declaredAt: start,
    toFirstDiagnosisMs: firstDiagnosis,
    toMitigationMs: recovery,
    toResolveMs: resolved,
    perPhaseMs: timePerPhase(events, start, end),
    firstResponseMet: meets(firstDiagnosis, targets.firstResponseMinutes * phaseMinuteMs),
    recoveryMet: meets(recovery, targets.recoveryMinutes * phaseMinuteMs),
    targets,
  };
}

function meets(actualMs: number | null, targetMs: number): boolean | null {
  return actualMs === null ? null : actualMs <= targetMs;
}

function timePerPhase(
  events: readonly TimelineEvent[],
  start: number | null,
  end: number,
): Record<Phase, number> {
  const totals: Record<Phase, number> = { immediate: 0, "short-term": 0, "long-term": 0 };
  if (start === null) return totals;
  let phase: Phase = "immediate";
  let since = start;
  for (const e of events) {
    if (e.type !== "phase-changed" || e.at > end) continue;
    totals[phase] += Math.max(0, e.at - since);
    phase = e.details.to;
    since = e.at;
  }
  totals[phase] += Math.max(0, end - since);
  return totals;
}

/** "4m 05s", "1h 02m", "850ms": short enough for a chat line. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** One line per figure, with ✅/❌ against the runbook's targets. */
export function describeKeyFigures(f: KeyFigures): string[] {
  const mark = (met: boolean | null): string => (met === null ? "" : met ? " ✅" : " ❌");
  return [
    `Time to first diagnosis: ${formatDuration(f.toFirstDiagnosisMs)} (target ${f.targets.firstResponseMinutes} min)${mark(f.firstResponseMet)}`,
    `Time to mitigation: ${formatDuration(f.toMitigationMs)} (target ${f.targets.recoveryMinutes} min)${mark(f.recoveryMet)}`,
    `Time to resolve: ${formatDuration(f.toResolveMs)}`,
    `Time per phase: immediate ${formatDuration(f.perPhaseMs.immediate)}, short-term ${formatDuration(f.perPhaseMs["short-term"])}, long-term ${formatDuration(f.perPhaseMs["long-term"])}`,
  ];
}
