import {
  checkDecision,
  checkIncidentOpen,
  durationMs,
  type Approval,
} from "../../../src/domain/approval";

const approval: Approval = {
  id: "apr-run-1-reload",
  incidentId: "inc-20260101-x",
  runId: "run-1",
  playbook: "apache-502",
  stepId: "reload",
  title: "Graceful reload",
  hosts: ["proxy-1"],
  commands: ["apache2ctl graceful"],
  plan: [
    {
      host: "proxy-1",
      precheck: "apache2ctl configtest",
      action: "apache2ctl graceful",
      verify: "true",
      digest: "d1",
    },
  ],
  step: {
    id: "reload",
    title: "Graceful reload",
    kind: "remediation",
    run: "apache2ctl graceful",
    precheck: { run: "apache2ctl configtest", expect: {} },
    verify: { run: "true", expect: {}, attempts: 1, interval: "1s" },
  },
  required: 1,
  precheck: "apache2ctl configtest",
  requestedBy: "U-REQ",
  requester: "U-REQ",
  requestedAt: 0,
  expiresAt: 600_000,
};
const policy = { approvers: ["U-REQ", "U-OK"], allowSelfApproval: false };

describe("approval decisions", () => {
  it("lets an approver approve a pending request", () => {
    const check = checkDecision(approval, null, "approved", "U-OK", 1000, policy);
    expect(check).toEqual({ ok: true, decision: { state: "approved", by: "U-OK", at: 1000 } });
  });

  it("refuses a person who is not an approver", () => {
    const check = checkDecision(approval, null, "approved", "U-OTHER", 1000, policy);
    expect(check.ok ? null : check.code).toBe("not-an-approver");
  });

  it("refuses everyone when the approver list is empty", () => {
    const check = checkDecision(approval, null, "approved", "U-OK", 1000, {
      approvers: [],
      allowSelfApproval: false,
    });
    expect(check.ok ? null : check.code).toBe("not-an-approver");
  });

  it("refuses the requester approving their own request unless allowed", () => {
    const own = checkDecision(approval, null, "approved", "U-REQ", 1000, policy);
    expect(own.ok ? null : own.code).toBe("own-request");
    const allowed = checkDecision(approval, null, "approved", "U-REQ", 1000, {
      ...policy,
      allowSelfApproval: true,
    });
    expect(allowed.ok).toBe(true);
  });

  it("lets the requester deny their own request", () => {
    expect(checkDecision(approval, null, "denied", "U-REQ", 1000, policy).ok).toBe(true);
  });

  it("says why a second click changes nothing", () => {
    const check = checkDecision(
      approval,
      { state: "approved", by: "U-OK", at: 10 },
      "denied",
      "U-OK",
      1000,
      policy,
    );
    expect(check).toMatchObject({ ok: false, code: "already-decided" });
    expect(check.ok ? "" : check.message).toContain("already approved");
  });

  it("refuses a click after expiry", () => {
    const check = checkDecision(approval, null, "approved", "U-OK", 600_000, policy);
    expect(check.ok ? null : check.code).toBe("expired");
  });

  it("reads playbook durations", () => {
    expect(durationMs("10m")).toBe(600_000);
    expect(durationMs("500ms")).toBe(500);
    expect(() => durationMs("soon")).toThrow();
  });

  it("closes decisions once the incident is resolved, and only then", () => {
    expect(checkIncidentOpen({ id: "inc-1", state: "open" })).toBeNull();
    expect(checkIncidentOpen({ id: "inc-1", state: "mitigated" })).toBeNull();
    expect(checkIncidentOpen({ id: "inc-1", state: "resolved" })).toMatchObject({
      ok: false,
      code: "incident-resolved",
    });
  });
});
