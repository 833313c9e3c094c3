import { announceEvent } from "../../../src/app/announce-event";
import { concludeRun } from "../../../src/app/conclude-run";
import { decideApproval } from "../../../src/app/decide-approval";
import { declareIncident } from "../../../src/app/declare-incident";
import { enginePlaybookRunner } from "../../../src/engine/playbook-runner";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { executeRemediation } from "../../../src/app/execute-remediation";
import { requestApproval } from "../../../src/app/request-approval";
import { resolveIncident } from "../../../src/app/resolve-incident";
import { CANNOT_REACH } from "../../../src/domain/step-result";
import type { IncidentRun } from "../../../src/domain/incident-run";
import { Playbook } from "../../../src/domain/playbook";
import type { HostReport, StepResult } from "../../../src/domain/step-result";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

const last = { isLastAttempt: true };

/** An incident on proxy-1 and proxy-2 whose immediate run finished and asked for approval. */
async function pendingApproval(h: Harness) {
  const declared = await declareIncident(h.deps, {
    title: "Edge answers 502",
    hosts: ["proxy-1", "proxy-2"],
    declaredBy: "U-DECL",
  });
  if (!declared.ok) throw new Error(declared.message);
  for (const job of [...h.queue.hostRuns]) await executeHostRun(h.deps, job, last);
  const [approval] = await h.approvals.listForIncident(declared.value.incident.id);
  if (!approval) throw new Error("no approval was requested");
  return { incident: declared.value.incident, approval };
}

describe("approvals and the incident's end", () => {
  let h: Harness;

  beforeEach(() => {
    const executor = new FakeRemoteExecutor().reply((_host, command) => ({
      exitCode: 0,
      stdout: command.includes("echo ok") ? "ok\n" : "looked\n",
    }));
    h = lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1", "proxy-2"]),
      settings: { approvers: ["U-APPROVER"] },
    });
  });

  it("refuses a decision on an approval whose incident is resolved, and enqueues nothing", async () => {
    const { incident, approval } = await pendingApproval(h);
    await resolveIncident(h.deps, { incident: { incidentId: incident.id }, by: "U-DECL" });
    const click = await decideApproval(h.deps, {
      approvalId: approval.id,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(click).toEqual({
      ok: false,
      code: "incident-resolved",
      message: `Incident ${incident.id} is resolved; its approval requests are closed.`,
    });
    expect(h.queue.remediations).toHaveLength(0);
  });

  it("expires pending approvals when the incident is resolved: event first, expiry job cancelled, card updated", async () => {
    const { incident, approval } = await pendingApproval(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    expect(h.chat.of("postApprovalCard")).toHaveLength(1);

    await resolveIncident(h.deps, { incident: { incidentId: incident.id }, by: "U-DECL" });

    expect((await h.approvals.get(approval.id))?.decision).toMatchObject({
      state: "expired",
      by: null,
    });
    expect(h.queue.cancelledExpiries).toEqual([approval.id]);
    const events = await h.timeline.read(incident.id);
    const types = events.map((e) => e.type);
    // Before `resolved`, so the postmortem drawn at resolution lists it.
    expect(types.indexOf("approval-expired")).toBeLessThan(types.indexOf("resolved"));
    const expired = events.find((e) => e.type === "approval-expired");
    expect(expired).toMatchObject({
      details: { approvalId: approval.id, reason: "incident-resolved" },
      summary: expect.stringContaining("the incident was resolved"),
    });
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    const updates = h.chat.of("updateApprovalCard");
    expect(updates[updates.length - 1]?.card).toMatchObject({
      approvalId: approval.id,
      state: "expired",
    });
  });

  it("leaves a decided approval alone when the incident is resolved", async () => {
    const { incident, approval } = await pendingApproval(h);
    await decideApproval(h.deps, {
      approvalId: approval.id,
      decision: "denied",
      by: "U-APPROVER",
    });
    await resolveIncident(h.deps, { incident: { incidentId: incident.id }, by: "U-DECL" });
    expect((await h.approvals.get(approval.id))?.decision?.state).toBe("denied");
    const events = await h.timeline.read(incident.id);
    expect(events.filter((e) => e.type === "approval-expired")).toHaveLength(0);
  });
});

describe("the hint after a verified remediation", () => {
  /** proxy-2's verification fails when `failing` says so; every other command succeeds. */
  function setUp(failing: boolean) {
    const executor = new FakeRemoteExecutor().reply((host, command) => ({
      exitCode: failing && host === "proxy-2" && command.startsWith("test -s") ? 1 : 0,
      stdout: command.includes("echo ok") ? "ok\n" : "",
    }));
    return lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1", "proxy-2"]),
      settings: { approvers: ["U-APPROVER"] },
    });
  }

  async function approvedAndRemediated(h: Harness) {
    const { incident, approval } = await pendingApproval(h);
    await decideApproval(h.deps, {
      approvalId: approval.id,
      decision: "approved",
      by: "U-APPROVER",
    });
    const hints = async () =>
      (await h.timeline.read(incident.id)).filter(
        (e) => e.type === "note" && e.details.text.includes("/incident mitigated"),
      );
    const [first, second] = h.queue.remediations;
    await executeRemediation(h.deps, first!);
    const afterFirst = await hints();
    await executeRemediation(h.deps, second!);
    await executeRemediation(h.deps, second!); // a repeated job adds nothing
    return { incident, afterFirst, hints: await hints() };
  }

  it("suggests /incident mitigated once every host verified, as a bot note, without changing state", async () => {
    const h = setUp(false);
    const { incident, afterFirst, hints } = await approvedAndRemediated(h);
    expect(afterFirst).toHaveLength(0);
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({ actor: { kind: "bot" } });
    expect(hints[0]?.summary).toContain("Verification passed on proxy-1, proxy-2");
    expect((await h.incidents.get(incident.id))?.state).toBe("open");
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    const posted = h.chat.of("postMessage").filter((m) => m.text.includes("/incident mitigated"));
    expect(posted).toEqual([expect.objectContaining({ channel: incident.channel })]);
  });

  it("says nothing while one host's verification failed", async () => {
    const { hints } = await approvedAndRemediated(setUp(true));
    expect(hints).toHaveLength(0);
  });
});

/**
 * conclude-run + request-approval: which hosts an approval names and what its precheck line says.
 * The run's reports are written straight into the run store, so each host's cause is chosen here.
 */
describe("concluding a run into approval requests", () => {
  const playbook = Playbook.parse({
    id: "reload-test",
    title: "Reload test",
    description: "A configtest check and a graceful reload guarded by the same configtest.",
    vars: { conf: { type: "path", default: "/etc/apache2/apache2.conf" } },
    phases: {
      immediate: [
        {
          id: "configtest",
          title: "Config test",
          kind: "check",
          run: "apache2ctl -f {{ conf }} -t",
          expect: { exitCode: 0 },
        },
        {
          id: "reload",
          title: "Graceful reload",
          kind: "remediation",
          run: "apache2ctl -f {{ conf }} -k graceful",
          precheck: { run: "apache2ctl -f {{ conf }} -t" },
          verify: { run: "true", attempts: 1, interval: "1s" },
        },
      ],
    },
  });
  const hosts = [
    ...testHosts(["proxy-1"], { conf: "/etc/apache2/p1.conf" }),
    ...testHosts(["proxy-2", "proxy-3", "proxy-4"]),
  ];
  const groups: Record<string, string[]> = { edge: ["proxy-1", "proxy-2"] };

  function harness(): Harness {
    const h = lifecycleHarness({
      executor: new FakeRemoteExecutor(),
      hosts,
      playbooks: [playbook],
    });
    h.deps.runner = enginePlaybookRunner({
      executor: new FakeRemoteExecutor(),
      catalog: { get: async (id) => (id === playbook.id ? playbook : null), list: async () => [] },
      resolveHosts: (names) => {
        const wanted = names.flatMap((name) => groups[name] ?? [name]);
        return hosts.filter((host) => wanted.includes(host.name));
      },
    });
    return h;
  }

  const run: IncidentRun = {
    runId: "run-inc-1-immediate-1",
    incidentId: "inc-1",
    playbook: "reload-test",
    phase: "immediate",
    hosts: ["proxy-1", "proxy-2", "proxy-3", "proxy-4"],
    startedAt: 0,
    requestedBy: "bot",
  };

  const step = (id: string, status: StepResult["status"], output = "", reason?: string) => ({
    id,
    status,
    exitCode: status === "ok" ? 0 : null,
    durationMs: 5,
    output,
    ...(reason ? { reason } : {}),
  });
  const finding = (cause: "upstream_refused" | "healthy") => ({
    cause,
    evidence: [],
    confidence: 0.9,
  });
  const reports: HostReport[] = [
    {
      host: "proxy-1",
      steps: [step("configtest", "ok", "AH00558: could not determine name\nSyntax OK\n")],
      findings: [finding("upstream_refused")],
    },
    {
      host: "proxy-2",
      steps: [step("configtest", "ok", "Syntax OK")],
      findings: [finding("healthy"), finding("upstream_refused")],
    },
    {
      host: "proxy-3",
      steps: [step("configtest", "error", "", `${CANNOT_REACH}connection refused`)],
      findings: [],
    },
    {
      host: "proxy-4",
      steps: [step("configtest", "failed", "AH00526: Syntax error on line 3")],
      findings: [finding("upstream_refused")],
    },
  ];

  async function concluded(h: Harness) {
    await h.runs.createRun(run);
    for (const report of reports) await h.runs.finishHost(run.runId, report);
    await concludeRun(h.deps, run);
    return h.approvals.listForIncident(run.incidentId);
  }

  it("asks only for reachable hosts whose primary cause is not healthy", async () => {
    const [approval, ...more] = await concluded(harness());
    expect(more).toHaveLength(0);
    expect(approval?.hosts).toEqual(["proxy-1", "proxy-4"]);
  });

  it("carries the rendered precheck commands and the last result of the step that ran them", async () => {
    const [approval] = await concluded(harness());
    expect(approval?.commands).toEqual([
      "apache2ctl -f '/etc/apache2/p1.conf' -k graceful",
      "apache2ctl -f '/etc/apache2/apache2.conf' -k graceful",
    ]);
    expect(approval?.precheck?.split("\n")).toEqual([
      "apache2ctl -f '/etc/apache2/p1.conf' -t",
      "apache2ctl -f '/etc/apache2/apache2.conf' -t",
      "proxy-1: last configtest ok (Syntax OK)",
      "proxy-4: last configtest failed (AH00526: Syntax error on line 3)",
    ]);
  });

  it("names the resolved hosts when asked for a group", async () => {
    const h = harness();
    await h.runs.createRun(run);
    const result = await requestApproval(h.deps, {
      runId: run.runId,
      stepId: "reload",
      requestedBy: "U-DECL",
      hosts: ["edge"],
    });
    expect(result.ok && result.value.hosts).toEqual(["proxy-1", "proxy-2"]);
    const events = await h.timeline.read(run.incidentId);
    expect(events.find((e) => e.type === "approval-requested")?.summary).toBe(
      "Approval requested: Graceful reload on proxy-1, proxy-2",
    );
  });
});
