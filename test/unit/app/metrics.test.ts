import { decideApproval } from "../../../src/app/decide-approval";
import { declareIncident } from "../../../src/app/declare-incident";
import { executeHostRun } from "../../../src/app/execute-host-run";
import type { Metrics } from "../../../src/ports/metrics";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

/** What the use cases counted, as `name labels…` strings. */
class RecordingMetrics implements Metrics {
  readonly seen: string[] = [];
  incidentDeclared = (source: string, severity: string) =>
    void this.seen.push(`declared ${source} ${severity}`);
  stepFinished = (playbook: string, kind: string, outcome: string) =>
    void this.seen.push(`step ${playbook} ${kind} ${outcome}`);
  approvalDecided = (decision: string) => void this.seen.push(`approval ${decision}`);
  alertReceived = (source: string, status: string) =>
    void this.seen.push(`alert ${source} ${status}`);
  firstDiagnosis = () => void this.seen.push("first-diagnosis");
  announcementFailed = () => void this.seen.push("announcement-failed");
}

describe("what the use cases count", () => {
  let h: Harness;
  let metrics: RecordingMetrics;

  beforeEach(() => {
    metrics = new RecordingMetrics();
    h = lifecycleHarness({
      executor: new FakeRemoteExecutor().reply(() => ({ exitCode: 0, stdout: "ok\n" })),
      hosts: testHosts(["proxy-1"]),
      settings: { approvers: ["U-APPROVER"] },
    });
    h.deps.metrics = metrics;
  });

  test("a declare, each step that ran (not the one waiting for approval), the first diagnosis and a decision", async () => {
    const declared = await declareIncident(h.deps, {
      title: "Edge answers 502",
      severity: "sev1",
      hosts: ["proxy-1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    for (const job of [...h.queue.hostRuns])
      await executeHostRun(h.deps, job, { isLastAttempt: true });
    const [approval] = await h.approvals.listForIncident(declared.value.incident.id);
    await decideApproval(h.deps, {
      approvalId: approval?.id ?? "",
      decision: "denied",
      by: "U-APPROVER",
    });
    expect(metrics.seen[0]).toBe("declared person sev1");
    const steps = metrics.seen.filter((s) => s.startsWith("step "));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => /^step \S+ (diagnostic|check) ok$/.test(s))).toBe(true);
    expect(metrics.seen.filter((s) => s === "first-diagnosis")).toHaveLength(1);
    expect(metrics.seen).toContain("approval denied");
    // No incident or user id ever reaches a label.
    expect(metrics.seen.join(" ")).not.toMatch(/inc-|U-DECL|U-APPROVER/);
  });
});
