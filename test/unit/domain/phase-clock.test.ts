import {
  clockEntries,
  clockEntryName,
  DEFAULT_REMINDERS,
  dueAt,
  minuteAt,
  nextClockEntry,
} from "../../../src/domain/phase-clock";

describe("the phase clock", () => {
  const entries = clockEntries(DEFAULT_REMINDERS);

  it("reminds every 5 minutes in the immediate phase and every 15 in the short-term phase", () => {
    const early = entries.filter((e) => e.minute <= 60).map(clockEntryName);
    expect(early).toEqual([
      "reminder-5",
      "reminder-10",
      "phase-short-term",
      "reminder-30",
      "reminder-45",
      "phase-long-term",
    ]);
  });

  it("reminds hourly in the long-term phase until 24 hours", () => {
    const late = entries.filter((e) => e.phase === "long-term" && e.kind === "reminder");
    expect(late[0]?.minute).toBe(120);
    expect(late[late.length - 1]?.minute).toBe(23 * 60);
    expect(late).toHaveLength(22);
  });

  it("honours other intervals for another severity", () => {
    const sev1 = clockEntries({ immediate: 2, "short-term": 10, "long-term": 120 });
    expect(sev1.filter((e) => e.phase === "immediate").map((e) => e.minute)).toEqual([
      2, 4, 6, 8, 10, 12, 14,
    ]);
  });

  it("keeps one entry pending: each one's successor, in the order of the whole day", () => {
    const chain: string[] = [];
    let entry = nextClockEntry(DEFAULT_REMINDERS, 0, "immediate");
    while (entry) {
      chain.push(clockEntryName(entry));
      entry = nextClockEntry(DEFAULT_REMINDERS, entry.minute, entry.phase);
    }
    expect(chain).toEqual(entries.map(clockEntryName));
  });

  it("skips what the phase has passed: after mitigation at minute 20, long-term's first reminder", () => {
    expect(nextClockEntry(DEFAULT_REMINDERS, 20, "short-term")?.minute).toBe(30);
    const afterMitigation = nextClockEntry(DEFAULT_REMINDERS, 20, "long-term");
    expect(afterMitigation && clockEntryName(afterMitigation)).toBe("reminder-120");
    expect(nextClockEntry(DEFAULT_REMINDERS, 23 * 60, "long-term")).toBeNull();
  });

  it("counts incident-clock minutes from the declaration", () => {
    expect(minuteAt(1000, 1300, 20)).toBe(15);
  });

  it("converts clock minutes into real time with PHASE_MINUTE_MS", () => {
    expect(dueAt(1000, 15, 20)).toBe(1300);
  });
});
