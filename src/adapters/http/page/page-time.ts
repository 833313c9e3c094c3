import { formatDuration } from "../../../domain/key-figures";

/** `2026-12-03 10:22:05 UTC`: every time on the page is in UTC; the script adds the viewer's. */
export function utcTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function utcClock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

export function isoTime(at: number): string {
  return new Date(at).toISOString();
}

/** A time zone the viewer asked for (`?tz=Europe/Paris`), or null when Intl does not know it. */
export function knownZone(zone: string | null): string | null {
  if (!zone || zone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone: zone }).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

export function zoneClockFormat(zone: string): (at: number) => string {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  return (at) => format.format(at);
}

export const duration = formatDuration;
