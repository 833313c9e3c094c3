import {
  clockEntries,
  clockEntryName,
  DEFAULT_REMINDERS,
  dueAt,
  entriesBefore,
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

  it("lists what mitigation drops: everything up to and including the long-term phase change", () => {
    const dropped = entriesBefore(entries, "long-term").map(clockEntryName);
    expect(dropped).toContain("reminder-45");
    expect(dropped).toContain("phase-long-term");
    expect(dropped).not.toContain("reminder-120");
  });

  it("converts clock minutes into real time with PHASE_MINUTE_MS", () => {
    expect(dueAt(1000, 15, 20)).toBe(1300);
  });
});
