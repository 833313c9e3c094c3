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

/** Entries that no longer apply once the incident is in `phase` (mitigation jumps to long-term). */
export function entriesBefore(entries: ClockEntry[], phase: Phase): ClockEntry[] {
  const start = phaseWindows[phase].startMinute;
  return entries.filter((e) => e.minute <= start && phaseOrder(e.phase) <= phaseOrder(phase));
}

export function dueAt(declaredAt: number, minute: number, phaseMinuteMs: number): number {
  return declaredAt + minute * phaseMinuteMs;
}
