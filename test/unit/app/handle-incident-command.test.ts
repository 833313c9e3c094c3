import { handleApprovalClick, handleManualTick } from "../../../src/app/handle-chat-action";
import { handleIncidentCommand } from "../../../src/app/handle-incident-command";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { parseIncidentCommand, type IncidentCommand } from "../../../src/domain/incident-command";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

function parsed(text: string): IncidentCommand {
  const result = parseIncidentCommand(text);
  if (!result.ok) throw new Error(result.error);
  return result.command;
}

describe("handleIncidentCommand", () => {
  let h: Harness;
  const ops = { user: "U-DECL", channel: "C-ops" };

  beforeEach(() => {
    const executor = new FakeRemoteExecutor().reply(() => ({ exitCode: 0, stdout: "ok\n" }));
    h = lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1", "proxy-2"]),
      settings: { approvers: ["U-APPROVER"] },
    });
  });

  async function declare(): Promise<string> {
    const result = await handleIncidentCommand(h.deps, {
      ...ops,
      command: parsed("declare API 502s sev1 hosts:proxy-1,proxy-2"),
    });
    if (result.kind !== "declared") throw new Error(JSON.stringify(result));
    return result.incident.channel ?? "";
  }

  it("declares an incident and says which channel it opened", async () => {
    const result = await handleIncidentCommand(h.deps, {
      ...ops,
      command: parsed("declare API 502s sev1 hosts:proxy-1"),
    });
    expect(result).toMatchObject({
      kind: "declared",
      incident: { title: "API 502s", severity: "sev1", hosts: ["proxy-1"] },
      runSkipped: null,
    });
  });

  it("answers an incident-scoped command outside an incident channel without running it", async () => {
    const result = await handleIncidentCommand(h.deps, { ...ops, command: parsed("resolve ok") });
    expect(result).toEqual({
      kind: "outside-incident",
      text: expect.stringContaining("works in an incident channel"),
    });
    expect(await h.incidents.list({ openOnly: false, limit: 10 })).toHaveLength(0);
  });

  it("turns a refused use case into a typed refusal with its code", async () => {
    const channel = await declare();
    const result = await handleIncidentCommand(h.deps, {
      user: "U-DECL",
      channel,
      command: parsed("run no-such-playbook"),
    });
    expect(result).toMatchObject({ kind: "refused", code: "unknown-playbook" });
  });

  it("reports a started run with the playbook and the resolved hosts", async () => {
    const channel = await declare();
    const result = await handleIncidentCommand(h.deps, {
      user: "U-DECL",
      channel,
      command: parsed("run lifecycle-test short-term hosts:proxy-2"),
    });
    expect(result).toEqual({
      kind: "started",
      playbook: "lifecycle-test",
      hosts: ["proxy-2"],
      leftOut: [],
    });
  });

  it("returns the current status, the timeline and the open incidents as views to render", async () => {
    const channel = await declare();
    const here = { user: "U-DECL", channel };
    const status = await handleIncidentCommand(h.deps, { ...here, command: parsed("status") });
    expect(status).toMatchObject({ kind: "current-status", view: { incident: { channel } } });
    const timeline = await handleIncidentCommand(h.deps, { ...here, command: parsed("timeline") });
    expect(timeline).toMatchObject({ kind: "timeline" });
    const list = await handleIncidentCommand(h.deps, { ...ops, command: parsed("list") });
    expect(list).toMatchObject({ kind: "incidents", incidents: [{ channel }] });
  });

  it("says done for commands whose announcement speaks for itself, noted for a note", async () => {
    const channel = await declare();
    const here = { user: "U-DECL", channel };
    const update = parsed("status upstream restarted");
    expect(await handleIncidentCommand(h.deps, { ...here, command: update })).toEqual({
      kind: "done",
    });
    const note = await handleIncidentCommand(h.deps, { ...here, command: parsed("note hi") });
    expect(note).toEqual({ kind: "noted" });
    const severity = parsed("severity sev2");
    expect(await handleIncidentCommand(h.deps, { ...here, command: severity })).toEqual({
      kind: "done",
    });
    expect(await handleIncidentCommand(h.deps, { ...here, command: severity })).toMatchObject({
      kind: "refused",
      message: expect.stringContaining("sev2 already"),
    });
    const resolved = await handleIncidentCommand(h.deps, { ...here, command: parsed("resolve") });
    expect(resolved).toMatchObject({ kind: "resolved", incident: { state: "resolved" } });
  });
});

describe("handleApprovalClick and handleManualTick", () => {
  it("refuses a click on an unknown approval and reports a decision as done", async () => {
    const executor = new FakeRemoteExecutor().reply(() => ({ exitCode: 0, stdout: "ok\n" }));
    const h = lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1"]),
      settings: { approvers: ["U-APPROVER"] },
    });
    const missing = await handleApprovalClick(h.deps, {
      approvalId: "apr-nope",
      decision: "approve",
      user: "U-APPROVER",
    });
    expect(missing).toMatchObject({ kind: "refused", code: "not-found" });
    const declared = await handleIncidentCommand(h.deps, {
      user: "U-DECL",
      channel: "C-ops",
      command: parsed("declare API 502s hosts:proxy-1"),
    });
    if (declared.kind !== "declared") throw new Error(declared.kind);
    for (const job of [...h.queue.hostRuns]) {
      await executeHostRun(h.deps, job, { isLastAttempt: true });
    }
    const [approval] = await h.approvals.listForIncident(declared.incident.id);
    const denied = await handleApprovalClick(h.deps, {
      approvalId: approval!.id,
      decision: "deny",
      user: "U-APPROVER",
    });
    expect(denied).toEqual({ kind: "done" });
    expect((await h.approvals.get(approval!.id))?.decision?.state).toBe("denied");
  });

  it("ticks a manual item once and says so the second time", async () => {
    const h = lifecycleHarness({
      executor: new FakeRemoteExecutor(),
      hosts: testHosts(["proxy-1"]),
    });
    const declared = await handleIncidentCommand(h.deps, {
      user: "U-DECL",
      channel: "C-ops",
      command: parsed("declare API 502s"),
    });
    if (declared.kind !== "declared") throw new Error(declared.kind);
    const channel = declared.incident.channel ?? "";
    await handleIncidentCommand(h.deps, { user: "U-DECL", channel, command: parsed("mitigated") });
    const tick = { incident: { channel }, stepId: "write-postmortem", user: "U-DECL" };
    expect(await handleManualTick(h.deps, tick)).toEqual({ kind: "done" });
    expect(await handleManualTick(h.deps, tick)).toEqual({ kind: "already-done" });
    expect(await handleManualTick(h.deps, { ...tick, stepId: "nope" })).toMatchObject({
      kind: "refused",
      code: "not-found",
    });
  });
});
