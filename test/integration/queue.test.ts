import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideApproval } from "../../src/app/decide-approval";
import { declareIncident } from "../../src/app/declare-incident";
import type { Runtime } from "../../src/main";
import { FakeChat } from "../fakes/fake-chat";
import { testHosts } from "../fakes/lifecycle-harness";
import { LocalShellExecutor } from "../fakes/local-shell-executor";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { startTestRuntime, waitFor } from "./lifecycle/runtime";

describe("the lifecycle on real BullMQ queues and workers", () => {
  let dir: string;
  let chat: FakeChat;
  let runtime: Runtime;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "incident-bot-queue-"));
    chat = new FakeChat();
    runtime = await startTestRuntime({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix("queue"),
      chat,
      executor: new LocalShellExecutor(),
      hosts: ["p1", "p2"].map((h) => testHosts([h], { marker: join(dir, `${h}.marker`) })[0]!),
      workers: true,
    });
  });
  afterEach(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a declared incident's steps, diagnoses, asks for approval and remediates once when approved", async () => {
    const declared = await declareIncident(runtime.deps, {
      title: "Edge 502",
      hosts: ["p1", "p2"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    const approval = await waitFor("the approval request", async () => {
      const events = await runtime.deps.timeline.read(id);
      return events.find((e) => e.type === "approval-requested");
    });
    if (approval.type !== "approval-requested") throw new Error("unexpected");
    const events = await runtime.deps.timeline.read(id);
    expect(events.filter((e) => e.type === "diagnosis")).toHaveLength(1);
    expect(events.filter((e) => e.type === "step-finished")).toHaveLength(6);

    const decisions = await Promise.all([
      decideApproval(runtime.deps, {
        approvalId: approval.details.approvalId,
        decision: "approved",
        by: "U-APPROVER",
      }),
      decideApproval(runtime.deps, {
        approvalId: approval.details.approvalId,
        decision: "approved",
        by: "U-APPROVER-2",
      }),
    ]);
    expect(decisions.filter((d) => d.ok)).toHaveLength(1);
    await waitFor("both remediations", async () => {
      const all = await runtime.deps.timeline.read(id);
      return all.filter((e) => e.type === "remediation-finished").length === 2;
    });
    for (const host of ["p1", "p2"]) {
      expect(readFileSync(join(dir, `${host}.marker`), "utf8")).toBe("ran\n");
    }
    await waitFor("the approval card updated with the outcome", async () =>
      chat.of("updateApprovalCard").some((c) => c.card.outcome?.includes("p2")),
    );
    expect(chat.of("postIncidentCard")).toHaveLength(1);
  });

  it("retries announcements while chat is down and records a failure after the last attempt", async () => {
    chat.failing = true;
    const declared = await declareIncident(runtime.deps, {
      title: "Slack is down too",
      hosts: [],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    const failed = await waitFor("announcement-failed", async () => {
      const events = await runtime.deps.timeline.read(id);
      return events.find((e) => e.type === "announcement-failed");
    });
    expect(failed.summary).toContain("declared");
    expect((await runtime.deps.timeline.read(id))[0]?.type).toBe("declared");
  });
});
