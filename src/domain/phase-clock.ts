import { z } from "zod";
import { Phase, phaseWindows } from "./phase";
import { Severity } from "./severity";

/**
 * The incident clock: when the phase changes and when a status update is due, in incident-clock
 * minutes since declaration. One minute lasts PHASE_MINUTE_MS in real time, so tests shrink it.
 */
export const ReminderIntervals = z.object({
  immediate: z.number().int().positive(),
  "short-term": z.number().int().positive(),
  "long-term": z.number().int().positive(),
});
export type ReminderIntervals = z.infer<typeof ReminderIntervals>;

/** The runbook's cadence: every 5 minutes, then every 15, then hourly. */
export const DEFAULT_REMINDERS: ReminderIntervals = {
  immediate: 5,
  "short-term": 15,
  "long-term": 60,
};

export type RemindersBySeverity = Record<Severity, ReminderIntervals>;

export const DEFAULT_REMINDERS_BY_SEVERITY: RemindersBySeverity = {
  sev1: DEFAULT_REMINDERS,
  sev2: DEFAULT_REMINDERS,
  sev3: DEFAULT_REMINDERS,
};

export const ClockEntry = z.object({
  kind: z.enum(["phase-change", "reminder"]),
  minute: z.number().int().positive(),
  /** For a phase change, the phase that starts; for a reminder, the phase it falls in. */
  phase: Phase,
});
export type ClockEntry = z.infer<typeof ClockEntry>;

/** Every phase change and reminder of an incident, in time order (phase change first on a tie). */
export function clockEntries(intervals: ReminderIntervals): ClockEntry[] {
  const entries: ClockEntry[] = [];
  for (const phase of Phase.options) {
    const { startMinute, endMinute } = phaseWindows[phase];
    if (startMinute > 0) entries.push({ kind: "phase-change", minute: startMinute, phase });
    // Reminders fall strictly inside the phase: its start is announced by the phase change.
    for (let m = startMinute + intervals[phase]; m < endMinute; m += intervals[phase]) {
      entries.push({ kind: "reminder", minute: m, phase });
    }
  }
  return entries.sort((a, b) => a.minute - b.minute || (a.kind === "phase-change" ? -1 : 1));
}

/** Stable name of an entry within its incident: `phase-short-term`, `reminder-30`. */
export function clockEntryName(entry: ClockEntry): string {
  return entry.kind === "phase-change" ? `phase-${entry.phase}` : `reminder-${entry.minute}`;
}

export function phaseAtMinute(minute: number): Phase {
  if (minute >= phaseWindows["long-term"].startMinute) return "long-term";
  if (minute >= phaseWindows["short-term"].startMinute) return "short-term";
  return "immediate";
}

export function phaseOrder(phase: Phase): number {
  return Phase.options.indexOf(phase);
}

/**
 * The entry to schedule after `afterMinute` for an incident now in `phase`, or null when the
 * clock has run out. The clock keeps one entry pending per incident, and each entry schedules
 * the next when it fires: an incident costs one delayed job, not its whole day's (28 at the
 * runbook's cadence), and a severity change or a mitigation only has to replace that one. What
 * the incident's phase has passed is left out: a reminder of an earlier phase, a phase change
 * into a phase already reached (mitigation jumps to long-term).
 */
export function nextClockEntry(
  intervals: ReminderIntervals,
  afterMinute: number,
  phase: Phase,
): ClockEntry | null {
  const now = phaseOrder(phase);
  return (
    clockEntries(intervals).find(
      (entry) =>
        entry.minute > afterMinute &&
        (entry.kind === "reminder"
          ? phaseOrder(entry.phase) >= now
          : phaseOrder(entry.phase) > now),
    ) ?? null
  );
}

/** Incident-clock minutes since declaration at `at` (fractional). */
export function minuteAt(declaredAt: number, at: number, phaseMinuteMs: number): number {
  return (at - declaredAt) / phaseMinuteMs;
}

export function dueAt(declaredAt: number, minute: number, phaseMinuteMs: number): number {
  return declaredAt + minute * phaseMinuteMs;
}
