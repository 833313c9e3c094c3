import {
  announceEvent,
  recordAnnouncementFailed,
  refreshIncidentCard,
} from "../../../src/app/announce-event";
import { changeSeverity } from "../../../src/app/change-severity";
import { decideApproval } from "../../../src/app/decide-approval";
import { declareIncident } from "../../../src/app/declare-incident";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { executeRemediation, INTERRUPTED } from "../../../src/app/execute-remediation";
import { expireApproval } from "../../../src/app/expire-approval";
import { fireClockEntry } from "../../../src/app/fire-clock-entry";
import { mitigateIncident } from "../../../src/app/mitigate-incident";
import { resolveIncident } from "../../../src/app/resolve-incident";
import { tickManualItem } from "../../../src/app/tick-manual-item";
import { clockEntryName } from "../../../src/domain/phase-clock";
import { RemoteError } from "../../../src/ports/remote-executor";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

const last = { isLastAttempt: true };
const notLast = { isLastAttempt: false };

async function declared(h: Harness) {
  const result = await declareIncident(h.deps, {
    title: "Edge answers 502",
    severity: "sev1",
    hosts: ["proxy-1", "proxy-2"],
    declaredBy: "U-DECL",
  });
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

async function runAllHosts(h: Harness) {
  for (const job of [...h.queue.hostRuns]) await executeHostRun(h.deps, job, last);
}

describe("the incident lifecycle use cases", () => {
  let executor: FakeRemoteExecutor;
  let h: Harness;

  beforeEach(() => {
    executor = new FakeRemoteExecutor().reply((_host, command) => ({
      exitCode: 0,
      stdout: command.includes("echo ok") ? "ok\n" : "looked\n",
    }));
    h = lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1", "proxy-2"]),
      settings: { approvers: ["U-APPROVER", "U-DECL"] },
    });
  });

  it("declares: saves, writes `declared` first, opens the channel, schedules the clock, queues one job per host", async () => {
    const { incident, runId } = await declared(h);
    const events = await h.timeline.read(incident.id);
    expect(events[0]?.type).toBe("declared");
    expect(incident.channel).toBe(`C-${incident.id}`);
    // The clock keeps one entry pending; each schedules the next as it fires.
    expect(
      h.queue.scheduled.map((j) => (j.kind === "clock-entry" ? clockEntryName(j.entry) : "")),
    ).toEqual(["reminder-5"]);
    expect(h.queue.hostRuns.map((j) => j.host)).toEqual(["proxy-1", "proxy-2"]);
    expect(runId).toMatch(/^run-inc-/);
  });

  it("runs each host's steps once, then one diagnosis and one approval request for the remediation", async () => {
    const { incident } = await declared(h);
    await runAllHosts(h);
    await runAllHosts(h); // a duplicate delivery adds nothing
    const events = await h.timeline.read(incident.id);
    const finished = events.filter((e) => e.type === "step-finished");
    expect(finished).toHaveLength(6);
    expect(events.filter((e) => e.type === "diagnosis")).toHaveLength(1);
    expect(events.filter((e) => e.type === "approval-requested")).toHaveLength(1);
    expect(executor.commands.filter((c) => c.command.includes(">>"))).toHaveLength(0);
    const waiting = finished.filter((e) => e.details.stepId === "append-marker");
    expect(waiting.every((e) => e.details.status === "awaiting-approval")).toBe(true);
    expect(executor.commands).toHaveLength(4);
  });

  it("skips steps recorded before a crash when the job runs again", async () => {
    await declared(h);
    const job = h.queue.hostRuns[0]!;
    await h.runs.recordStepResult(job.runId, job.host, {
      id: "slow-look",
      status: "ok",
      exitCode: 0,
      durationMs: 5,
      output: "looked",
    });
    await executeHostRun(h.deps, job, last);
    expect(executor.commands.map((c) => c.command)).toEqual(["echo ok"]);
  });

  it("retries a step that could not run, and records the error only on the last attempt", async () => {
    executor.failConnect("proxy-1", new RemoteError("unreachable", "no route to host", true));
    const { incident } = await declared(h);
    const job = h.queue.hostRuns.find((j) => j.host === "proxy-1")!;
    await expect(executeHostRun(h.deps, job, notLast)).rejects.toMatchObject({ retryable: true });
    const early = await h.timeline.read(incident.id);
    expect(early.some((e) => e.type === "step-finished" && e.details.status === "error")).toBe(
      false,
    );
    await executeHostRun(h.deps, job, last);
    const errors = (await h.timeline.read(incident.id)).filter(
      (e) => e.type === "step-finished" && e.details.status === "error",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it("enforces approvals: approvers only, not your own request, one decision, remediation once", async () => {
    const { incident } = await declared(h);
    await runAllHosts(h);
    const [approval] = await h.approvals.listForIncident(incident.id);
    const id = approval!.id;
    const stranger = await decideApproval(h.deps, {
      approvalId: id,
      decision: "approved",
      by: "U-X",
    });
    expect(stranger).toMatchObject({ ok: false, code: "not-an-approver" });
    const own = await decideApproval(h.deps, {
      approvalId: id,
      decision: "approved",
      by: "U-DECL",
    });
    expect(own).toMatchObject({ ok: false, code: "own-request" });
    const ok = await decideApproval(h.deps, {
      approvalId: id,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(ok.ok).toBe(true);
    const again = await decideApproval(h.deps, {
      approvalId: id,
      decision: "denied",
      by: "U-APPROVER",
    });
    expect(again).toMatchObject({ ok: false, code: "already-decided" });
    expect(h.queue.remediations).toHaveLength(2);
    for (const job of [...h.queue.remediations, ...h.queue.remediations]) {
      await executeRemediation(h.deps, job);
    }
    expect(executor.commands.filter((c) => c.command.includes(">>"))).toHaveLength(2);
    const done = (await h.timeline.read(incident.id)).filter(
      (e) => e.type === "remediation-finished",
    );
    expect(done.map((e) => e.details.action)).toEqual(["ok", "ok"]);
  });

  it("reports a remediation interrupted mid-action instead of running it again", async () => {
    const { incident } = await declared(h);
    await runAllHosts(h);
    const [approval] = await h.approvals.listForIncident(incident.id);
    await decideApproval(h.deps, {
      approvalId: approval!.id,
      decision: "approved",
      by: "U-APPROVER",
    });
    const job = h.queue.remediations[0]!;
    await h.approvals.claimRemediation(job.approvalId, job.host); // the worker that died took it
    const outcome = await executeRemediation(h.deps, job);
    expect(outcome.output).toContain(INTERRUPTED);
    expect(executor.commands.filter((c) => c.command.includes(">>"))).toHaveLength(0);
  });

  it("expires an unanswered request once, and a later click says so", async () => {
    const { incident } = await declared(h);
    await runAllHosts(h);
    const [approval] = await h.approvals.listForIncident(incident.id);
    h.clock.advance(10 * 60_000);
    expect(await expireApproval(h.deps, { approvalId: approval!.id })).toBe("expired");
    expect(await expireApproval(h.deps, { approvalId: approval!.id })).toBe("already-decided");
    const click = await decideApproval(h.deps, {
      approvalId: approval!.id,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(click).toMatchObject({ ok: false, code: "expired" });
  });

  it("fires each clock entry once, each scheduling the next, and starts the short-term steps at the phase change", async () => {
    const { incident } = await declared(h);
    const last = () => {
      const job = h.queue.scheduled.at(-1);
      if (job?.kind !== "clock-entry") throw new Error("no clock entry scheduled");
      return job;
    };
    const reminder = last();
    expect(reminder.entry.minute).toBe(5);
    expect(await fireClockEntry(h.deps, reminder)).toBe("fired");
    expect(clockEntryName(last().entry)).toBe("reminder-10");
    // A retried firing adds no event; its successor is the same job (the queue keeps one per id).
    expect(await fireClockEntry(h.deps, reminder)).toBe("skipped");
    expect(clockEntryName(last().entry)).toBe("reminder-10");
    expect(await fireClockEntry(h.deps, last())).toBe("fired");
    const phase = last();
    expect(clockEntryName(phase.entry)).toBe("phase-short-term");
    expect(await fireClockEntry(h.deps, phase)).toBe("fired");
    expect(clockEntryName(last().entry)).toBe("reminder-30");
    expect((await h.incidents.get(incident.id))?.phase).toBe("short-term");
    expect(h.queue.hostRuns.filter((j) => j.runId.includes("short-term"))).toHaveLength(2);
  });

  it("mitigates into the long-term phase, listing its manual items, and moves the clock on to long-term's", async () => {
    const { incident } = await declared(h);
    const result = await mitigateIncident(h.deps, {
      incident: { incidentId: incident.id },
      by: "U-DECL",
    });
    expect(result.ok && result.value.phase).toBe("long-term");
    expect(h.queue.cancelled).toEqual([`${incident.id}/reminder-5`]);
    const next = h.queue.scheduled.at(-1);
    expect(next?.kind === "clock-entry" && clockEntryName(next.entry)).toBe("reminder-120");
    const tick = await tickManualItem(h.deps, {
      incident: { channel: incident.channel! },
      stepId: "add-alerting",
      by: "U-DECL",
    });
    expect(tick).toMatchObject({ ok: true, value: { alreadyTicked: false } });
    // An earlier entry already on its way when mitigation came adds nothing.
    const stale = {
      incidentId: incident.id,
      entry: { kind: "phase-change" as const, minute: 60, phase: "long-term" as const },
      dueAt: incident.declaredAt + 60 * h.deps.settings.phaseMinuteMs,
    };
    expect(await fireClockEntry(h.deps, stale)).toBe("skipped");
  });

  it("changes the severity: the event, the card's record and the reminders still to come", async () => {
    h = lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1", "proxy-2"]),
      settings: {
        reminders: {
          sev1: { immediate: 5, "short-term": 10, "long-term": 60 },
          sev2: { immediate: 5, "short-term": 15, "long-term": 60 },
          sev3: { immediate: 5, "short-term": 15, "long-term": 60 },
        },
      },
    });
    const { incident } = await declared(h); // sev1, at clock minute 0
    h.clock.advance(20 * h.deps.settings.phaseMinuteMs);
    h.queue.scheduled.length = 0;

    const result = await changeSeverity(h.deps, {
      incident: { channel: incident.channel! },
      severity: "sev2",
      by: "U-DECL",
    });

    expect(result).toMatchObject({ ok: true, value: { from: "sev1", to: "sev2" } });
    expect((await h.incidents.get(incident.id))?.severity).toBe("sev2");
    const events = await h.timeline.read(incident.id);
    expect(events.at(-1)).toMatchObject({
      type: "severity-changed",
      summary: "Severity: sev1 → sev2",
      details: { from: "sev1", to: "sev2" },
    });
    // sev1 reminds at 25, 35, 45, 55 (every 10); sev2 at 30 and 45 (every 15): the pending
    // minute 25 gives way to minute 30, which schedules 45 when it fires.
    expect(h.queue.cancelled).toEqual([`${incident.id}/reminder-25`]);
    expect(
      h.queue.scheduled.map((j) => (j.kind === "clock-entry" ? clockEntryName(j.entry) : "")),
    ).toEqual(["reminder-30"]);

    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    expect(h.chat.of("postMessage").map((m) => m.text)).toContain("Severity: sev1 → sev2");
    expect(h.chat.of("setTopic")).toEqual([
      { kind: "setTopic", channel: incident.channel, topic: "sev2 · Edge answers 502" },
    ]);

    const again = await changeSeverity(h.deps, {
      incident: { channel: incident.channel! },
      severity: "sev2",
      by: "U-DECL",
    });
    expect(again).toMatchObject({ ok: false, code: "invalid-input" });
  });

  it("resolves: cancels the pending clock entry and renders the postmortem", async () => {
    const { incident } = await declared(h);
    const result = await resolveIncident(h.deps, {
      incident: { incidentId: incident.id },
      by: "U-DECL",
      summary: "backend restarted",
    });
    if (!result.ok) throw new Error(result.message);
    expect(h.queue.cancelled).toEqual([`${incident.id}/reminder-5`]);
    expect(result.value.postmortem).toContain("backend restarted");
    const again = await resolveIncident(h.deps, {
      incident: { incidentId: incident.id },
      by: "U-DECL",
    });
    expect(again).toMatchObject({ ok: false, code: "invalid-state" });
  });

  it("keeps events when chat is down and leaves a trace after the last announcement attempt", async () => {
    h.chat.failing = true;
    const { incident } = await declared(h);
    expect(incident.channel).toBeNull();
    const job = h.queue.announcements[0]!;
    await expect(announceEvent(h.deps, job)).rejects.toThrow();
    await recordAnnouncementFailed(h.deps, job, "chat is down");
    const events = await h.timeline.read(incident.id);
    expect(events.map((e) => e.type)).toEqual([
      "declared",
      "playbook-started",
      "announcement-failed",
    ]);
    h.chat.failing = false;
    await announceEvent(h.deps, job);
    expect(h.chat.of("postIncidentCard")).toHaveLength(1);
  });

  it("announces step results as one card updated in place plus capped thread replies", async () => {
    const { incident } = await declared(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    await runAllHosts(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    expect(h.queue.cardRefreshes).toHaveLength(1); // one burst, one refresh
    for (const job of h.queue.cardRefreshes.splice(0)) await refreshIncidentCard(h.deps, job);
    expect(h.chat.of("postIncidentCard")).toHaveLength(1);
    const updates = h.chat.of("updateIncidentCard");
    const card = updates[updates.length - 1]!.card;
    expect(card.checklist.map((i) => i.stepId)).toEqual([
      "slow-look",
      "check-echo",
      "append-marker",
    ]);
    expect(card.checklist[0]?.states).toEqual({ "proxy-1": "ok", "proxy-2": "ok" });
    expect(h.chat.of("postApprovalCard")).toHaveLength(1);
    expect(h.chat.of("postMessage").some((m) => m.text.includes("Diagnosis"))).toBe(true);
    expect((await h.incidents.get(incident.id))?.messageRef).toBeTruthy();
  });

  it("posts the diagnosis before the outputs that went fine, then one thread reply per host, and a failed step at once", async () => {
    executor.reply((host, command) =>
      host === "proxy-2" && command.includes("echo ok")
        ? { exitCode: 1, stdout: "nope\n" }
        : { exitCode: 0, stdout: command.includes("echo ok") ? "ok\n" : "looked\n" },
    );
    await declared(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    await runAllHosts(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    const kinds = h.chat.calls
      .filter((c) => c.kind === "postThreadReply" || c.kind === "postMessage")
      .map((c) => ("text" in c ? c.text.split("\n")[0] : ""));
    const diagnosisAt = kinds.findIndex((t) => t?.startsWith("Diagnosis:"));
    const perHost = kinds.filter((t) => t?.startsWith("Step output on "));
    expect(perHost.sort()).toEqual([
      expect.stringMatching(/^Step output on proxy-1 \(2 steps\)/),
      expect.stringMatching(/^Step output on proxy-2 \(1 step\)/),
    ]);
    expect(kinds.findIndex((t) => t?.startsWith("Step output on "))).toBeGreaterThan(diagnosisAt);
    const failed = h.chat.of("postThreadReply").filter((r) => r.code?.includes("nope"));
    expect(failed).toHaveLength(1);
    expect(kinds.indexOf(failed[0]!.text.split("\n")[0]!)).toBeLessThan(diagnosisAt);
  });

  it("splits a host's outputs over several replies rather than cut the first steps away", async () => {
    executor.reply(() => ({ exitCode: 0, stdout: `${`${"x".repeat(200)}\n`.repeat(10)}ok\n` }));
    h = lifecycleHarness({
      executor,
      hosts: testHosts(["proxy-1", "proxy-2"]),
      settings: { approvers: ["U-APPROVER"], maxChatOutputChars: 400 },
    });
    await declared(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    await runAllHosts(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    const replies = h.chat
      .of("postThreadReply")
      .filter((r) => r.text.startsWith("Step output on proxy-1"));
    expect(replies.map((r) => r.text)).toEqual([
      "Step output on proxy-1 (2 steps, part 1 of 2)",
      "Step output on proxy-1 (2 steps, part 2 of 2)",
    ]);
    for (const reply of replies) {
      expect(reply.code).toMatch(/^\$ [a-z-]+ \(ok\)\n…\(\d+ characters cut\)…\n/);
    }
  });

  it("does not repeat the messages a retried announcement had already sent", async () => {
    await declared(h);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    await runAllHosts(h);
    // Slack fails on the second host's output, after the diagnosis and the first host's output.
    h.chat.failOnce((call) => call.kind === "postThreadReply" && call.text.includes("proxy-2"));
    let retried = 0;
    for (const job of h.queue.announcements.splice(0)) {
      try {
        await announceEvent(h.deps, job);
      } catch {
        retried += 1;
        await announceEvent(h.deps, job); // the queue's retry
      }
    }
    expect(retried).toBe(1);
    const firstLines = h.chat.calls
      .filter((c) => c.kind === "postThreadReply" || c.kind === "postMessage")
      .map((c) => ("text" in c ? c.text.split("\n")[0] : ""));
    const count = (prefix: string): number =>
      firstLines.filter((t) => t?.startsWith(prefix)).length;
    expect(count("Diagnosis:")).toBe(1);
    expect(count("Step output on proxy-1")).toBe(1);
    expect(count("Step output on proxy-2")).toBe(1);
  });
});
