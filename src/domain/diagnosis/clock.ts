/**
 * Where "now" is on the host. Log lines carry the host's clock, which may differ from ours (drift,
 * another time zone for the error log's local times), so windows are measured on the host's clock:
 * playbook commands print `clock: EPOCH_SECONDS UTC_OFFSET` first (`date '+clock: %s %z'`). When
 * that line is missing, the newest line in the output stands in for "now": errors that stopped long
 * ago still count then, which is why every log step prints the clock line.
 */
export interface HostClock {
  nowMs: number;
  /** The host's offset from UTC in minutes (+0100 → 60); error log times are local times. */
  utcOffsetMinutes: number;
}

const clockLine = /^clock: (\d{9,11}) ([+-])(\d{2})(\d{2})\s*$/m;

export function readHostClock(output: string): HostClock | null {
  const match = clockLine.exec(output);
  if (!match) return null;
  const [, seconds, sign, hours, minutes] = match;
  const offset = Number(hours) * 60 + Number(minutes);
  return {
    nowMs: Number(seconds) * 1000,
    utcOffsetMinutes: sign === "-" ? -offset : offset,
  };
}

export const monthIndex: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
