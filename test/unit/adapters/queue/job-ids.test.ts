import { jobIds } from "../../../../src/adapters/queue/job-ids";

describe("BullMQ job ids", () => {
  const all = [
    jobIds.hostRun("run-inc-1-immediate-0", "proxy:1"),
    jobIds.remediation({
      incidentId: "inc-20260101-x",
      approvalId: "apr-run-1-reload",
      host: "proxy-1",
      commandDigest: "ab12",
    }),
    jobIds.clockEntry("inc-20260101-x", "reminder-30"),
    jobIds.approvalExpiry("apr-run-1-reload"),
    jobIds.announce("inc-20260101-x", "step-finished:run-1:proxy-1:error-log"),
    jobIds.cardRefresh("inc-20260101-x", 1234),
  ];

  it("never contain ':' and are never all digits, as BullMQ requires of custom ids", () => {
    for (const id of all) {
      expect(id).not.toContain(":");
      expect(id).not.toMatch(/^[0-9]+$/);
    }
  });

  it("are the same for the same work, so a second enqueue is a no-op", () => {
    expect(jobIds.announce("inc-a", "k")).toBe(jobIds.announce("inc-a", "k"));
    expect(jobIds.announce("inc-a", "k")).not.toBe(jobIds.announce("inc-b", "k"));
  });
});
