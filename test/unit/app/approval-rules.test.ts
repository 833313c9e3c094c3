import { decideApproval } from "../../../src/app/decide-approval";
import { declareIncident } from "../../../src/app/declare-incident";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { executeRemediation } from "../../../src/app/execute-remediation";
import { handleApprovalClick } from "../../../src/app/handle-chat-action";
import { handleIncidentCommand } from "../../../src/app/handle-incident-command";
import { requestApproval } from "../../../src/app/request-approval";
import type { LifecycleSettings } from "../../../src/app/lifecycle-deps";
import type { IncidentCommand } from "../../../src/domain/incident-command";
import type { RemediationResult } from "../../../src/ports/playbook-runner";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

const last = { isLastAttempt: true };

function harness(settings: Partial<LifecycleSettings>): Harness {
  const executor = new FakeRemoteExecutor().reply((_host, command) => ({
    exitCode: 0,
    stdout: command.includes("echo ok") ? "ok\n" : "looked\n",
  }));
  return lifecycleHarness({ executor, hosts: testHosts(["proxy-1", "proxy-2"]), settings });
}

async function pendingApproval(h: Harness, declaredBy = "U-DECL") {
  const declared = await declareIncident(h.deps, {
    title: "Edge answers 502",
    hosts: ["proxy-1", "proxy-2"],
    declaredBy,
  });
  if (!declared.ok) throw new Error(declared.message);
  for (const job of [...h.queue.hostRuns]) await executeHostRun(h.deps, job, last);
  const [approval] = await h.approvals.listForIncident(declared.value.incident.id);
  if (!approval) throw new Error("no approval was requested");
  return { incident: declared.value.incident, approval };
}

const approve = (h: Harness, approvalId: string, by: string) =>
  decideApproval(h.deps, { approvalId, decision: "approved", by });

describe("the two-person rule (INCIDENT_APPROVALS_REQUIRED)", () => {
  it("runs nothing until the required number of distinct approvers approved", async () => {
    const h = harness({ approvers: ["U-A", "U-B", "U-C"], approvalsRequired: 2 });
    const { approval } = await pendingApproval(h);
    expect(approval.required).toBe(2);

    const first = await approve(h, approval.id, "U-A");
    expect(first).toMatchObject({ ok: true, value: { decision: null, stillNeeded: 1 } });
    expect(h.queue.remediations).toHaveLength(0);
    expect(await approve(h, approval.id, "U-A")).toMatchObject({
      ok: false,
      code: "already-approved-by-you",
    });

    const second = await approve(h, approval.id, "U-B");
    expect(second).toMatchObject({
      ok: true,
      value: { decision: { state: "approved", by: "U-B" } },
    });
    expect(h.queue.remediations.map((j) => j.host).sort()).toEqual(["proxy-1", "proxy-2"]);
    const third = await approve(h, approval.id, "U-C");
    expect(third).toMatchObject({ ok: false, code: "already-decided" });
  });

  it("never counts the requester", async () => {
    const h = harness({ approvers: ["U-DECL", "U-B"], approvalsRequired: 1 });
    const { approval } = await pendingApproval(h, "U-DECL");
    expect(await approve(h, approval.id, "U-DECL")).toMatchObject({
      ok: false,
      code: "own-request",
    });
  });

  it("lets the phase clock's request be approved by anyone allowed but the declarer", async () => {
    const h = harness({ approvers: ["U-DECL", "U-B"] });
    const declared = await declareIncident(h.deps, {
      title: "Clock",
      hosts: ["proxy-1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const runId = h.queue.hostRuns[0]?.runId ?? "";
    const playbook = await h.deps.runner.getPlaybook("lifecycle-test");
    const stepId =
      Object.values(playbook?.phases ?? {})
        .flat()
        .find((s) => s?.kind === "remediation")?.id ?? "";
    const asked = await requestApproval(h.deps, { runId, stepId, requestedBy: "bot" });
    if (!asked.ok) throw new Error(asked.message);
    expect(asked.value).toMatchObject({ requestedBy: "bot", requester: "U-DECL" });
    expect(await approve(h, asked.value.id, "U-DECL")).toMatchObject({
      ok: false,
      code: "own-request",
    });
    expect(await approve(h, asked.value.id, "U-B")).toMatchObject({ ok: true });
  });

  it("closes the request on one allowed denial", async () => {
    const h = harness({ approvers: ["U-A", "U-B"], approvalsRequired: 2 });
    const { approval } = await pendingApproval(h);
    await approve(h, approval.id, "U-A");
    const denied = await decideApproval(h.deps, {
      approvalId: approval.id,
      decision: "denied",
      by: "U-B",
    });
    expect(denied).toMatchObject({ ok: true, value: { decision: { state: "denied" } } });
    expect(await approve(h, approval.id, "U-B")).toMatchObject({
      ok: false,
      code: "already-decided",
    });
    expect(h.queue.remediations).toHaveLength(0);
  });
});

describe("an approval runs exactly what it showed", () => {
  it("stores the rendered commands per host with a digest, and the jobs carry it", async () => {
    const h = harness({ approvers: ["U-A"] });
    const { approval } = await pendingApproval(h);
    expect(approval.plan.map((p) => p.host)).toEqual(["proxy-1", "proxy-2"]);
    for (const p of approval.plan) expect(p.digest).toMatch(/^[0-9a-f]{64}$/);
    await approve(h, approval.id, "U-A");
    expect(h.queue.remediations.map((j) => j.commandDigest)).toEqual(
      approval.plan.map((p) => p.digest),
    );
  });

  it("runs the stored commands even when the playbook changed after approval", async () => {
    const h = harness({ approvers: ["U-A"] });
    const { approval } = await pendingApproval(h);
    await approve(h, approval.id, "U-A");
    const ran: string[] = [];
    h.deps.runner.runRemediation = async (_step, commands): Promise<RemediationResult> => {
      ran.push(commands.action);
      const ok = { id: "x", status: "ok" as const, exitCode: 0, durationMs: 1, output: "" };
      return { precheck: ok, action: ok, verification: ok };
    };
    h.deps.runner.getPlaybook = async () => null;
    const [job] = h.queue.remediations;
    await executeRemediation(h.deps, job!);
    expect(ran).toEqual([approval.plan[0]!.action]);
  });

  it("refuses a job whose digest, host or incident differs, records why, and runs nothing", async () => {
    const h = harness({ approvers: ["U-A"] });
    const { approval } = await pendingApproval(h);
    await approve(h, approval.id, "U-A");
    let runs = 0;
    h.deps.runner.runRemediation = async () => {
      runs += 1;
      throw new Error("must not run");
    };
    const [job] = h.queue.remediations;
    const forged = [
      { ...job!, commandDigest: "f".repeat(64) },
      { ...job!, host: "proxy-9" },
      { ...job!, incidentId: "inc-20260101-other" },
    ];
    for (const bad of forged) {
      await expect(executeRemediation(h.deps, bad)).rejects.toMatchObject({
        code: "remediation-refused",
        retryable: false,
      });
    }
    expect(runs).toBe(0);
    const refused = (await h.timeline.read(approval.incidentId)).filter(
      (e) => e.type === "remediation-refused",
    );
    expect(refused).toHaveLength(3);
  });
});

describe("the per-host remediation lock", () => {
  it("lets two approved remediations on one host act one after the other, never at once", async () => {
    const h = harness({ approvers: ["U-A"] });
    const { approval } = await pendingApproval(h);
    await approve(h, approval.id, "U-A");
    let active = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    h.deps.runner.runRemediation = async (): Promise<RemediationResult> => {
      active += 1;
      most = Math.max(most, active);
      await new Promise<void>((resolve) => releases.push(resolve));
      active -= 1;
      const ok = { id: "x", status: "ok" as const, exitCode: 0, durationMs: 1, output: "" };
      return { precheck: ok, action: ok, verification: ok };
    };
    const job = h.queue.remediations.find((j) => j.host === "proxy-1")!;
    // A second approval on the same host (a restart beside the reload), as its own job.
    const other = { ...approval, id: "apr-other-restart", stepId: "restart" };
    await h.approvals.create(other);
    await h.approvals.grant(other, { by: "U-A", at: 0 });
    const wait = { pollMs: 1, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const both = Promise.all([
      executeRemediation(h.deps, job, wait),
      executeRemediation(h.deps, { ...job, approvalId: other.id }, wait),
    ]);
    for (let i = 0; i < 2; i += 1) {
      while (releases.length === 0) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, 20));
      expect(active).toBe(1);
      releases.shift()?.();
    }
    await both;
    expect(most).toBe(1);
    expect(h.approvals.hostLocks.size).toBe(0);
  });
});

describe("who may act (INCIDENT_OPERATORS)", () => {
  const commands: IncidentCommand[] = [
    { kind: "declare", title: "x", severity: "sev2", hosts: ["proxy-1"] },
    { kind: "run", playbook: "lifecycle-test", phase: null, hosts: [] },
    { kind: "resolve", summary: null },
    { kind: "commander", user: "U-X" },
  ];

  it.each(commands)(
    "refuses $kind to someone who is not an operator, and does nothing",
    async (command) => {
      const h = harness({ operators: ["U-OP"] });
      const before = await h.incidents.list({ openOnly: false, limit: 100 });
      const outcome = await handleIncidentCommand(h.deps, { command, user: "U-X", channel: "C1" });
      expect(outcome).toMatchObject({ kind: "refused", code: "not-an-operator" });
      expect(h.queue.hostRuns).toHaveLength(0);
      expect(await h.incidents.list({ openOnly: false, limit: 100 })).toEqual(before);
    },
  );

  it("lets everyone declare without hosts, and operators declare on hosts", async () => {
    const h = harness({ operators: ["U-OP"] });
    const plain = await handleIncidentCommand(h.deps, {
      command: { kind: "declare", title: "x", severity: "sev2", hosts: [] },
      user: "U-X",
      channel: "C1",
    });
    expect(plain.kind).toBe("declared");
    const onHosts = await handleIncidentCommand(h.deps, {
      command: { kind: "declare", title: "y", severity: "sev2", hosts: ["proxy-1"] },
      user: "U-OP",
      channel: "C1",
    });
    expect(onHosts.kind).toBe("declared");
  });

  it("names only the unknown hosts in a refusal, never the inventory", async () => {
    const h = harness({});
    const outcome = await handleIncidentCommand(h.deps, {
      command: { kind: "declare", title: "x", severity: "sev2", hosts: ["nope"] },
      user: "U-X",
      channel: "C1",
    });
    const text = JSON.stringify(outcome);
    expect(text).toContain('"nope"');
    expect(text).not.toContain("proxy-1");
  });
});

describe("approval ids from chat", () => {
  it("answers a malformed id with a refusal and decides nothing", async () => {
    const h = harness({ approvers: ["U-A"] });
    const outcome = await handleApprovalClick(h.deps, {
      approvalId: "apr-x\n<!channel>",
      decision: "approve",
      user: "U-A",
    });
    expect(outcome).toMatchObject({ kind: "refused", code: "invalid-input" });
  });
});
