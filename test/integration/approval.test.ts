import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideApproval } from "../../src/app/decide-approval";
import { declareIncident } from "../../src/app/declare-incident";
import type { LifecycleSettings } from "../../src/app/lifecycle-deps";
import type { Runtime } from "../../src/main";
import type { TimelineEventOf } from "../../src/domain/timeline";
import { FakeChat } from "../fakes/fake-chat";
import { testHosts } from "../fakes/lifecycle-harness";
import { LocalShellExecutor } from "../fakes/local-shell-executor";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { startTestRuntime, waitFor } from "./lifecycle/runtime";

const HOSTS = ["p1", "p2", "p3"];

describe("approvals with two workers racing", () => {
  let dir: string;
  const runtimes: Runtime[] = [];

  const start = async (
    prefix: string,
    phaseMinuteMs = 60_000,
    settings: Partial<LifecycleSettings> = {},
  ): Promise<Runtime> => {
    const runtime = await startTestRuntime({
      redisUrl: testRedisUrl(),
      prefix,
      chat: new FakeChat(),
      executor: new LocalShellExecutor(),
      hosts: HOSTS.flatMap((h) => testHosts([h], { marker: join(dir, `${h}.marker`) })),
      workers: true,
      phaseMinuteMs,
      settings,
    });
    runtimes.push(runtime);
    return runtime;
  };

  const requested = async (runtime: Runtime, id: string) => {
    const e = await waitFor("the approval request", async () =>
      (await runtime.deps.timeline.read(id)).find((x) => x.type === "approval-requested"),
    );
    return e as TimelineEventOf<"approval-requested">;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "incident-bot-approval-"));
  });
  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("records one decision from two simultaneous clicks and runs the remediation exactly once per host", async () => {
    const prefix = uniquePrefix("approval");
    const [a, b] = [await start(prefix), await start(prefix)];
    const declared = await declareIncident(a!.deps, {
      title: "Race",
      hosts: HOSTS,
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    const approval = await requested(a!, id);
    const approvalId = approval.details.approvalId;

    const clicks = await Promise.all([
      decideApproval(a!.deps, { approvalId, decision: "approved", by: "U-APPROVER" }),
      decideApproval(b!.deps, { approvalId, decision: "approved", by: "U-APPROVER-2" }),
      decideApproval(a!.deps, { approvalId, decision: "approved", by: "U-APPROVER-2" }),
    ]);
    expect(clicks.filter((c) => c.ok)).toHaveLength(1);
    const refusals = clicks.flatMap((c) => (c.ok ? [] : [c.code]));
    expect(refusals.every((code) => code === "already-decided")).toBe(true);
    // Both processes enqueue the same remediation again, as a retried handler would.
    const stored = await a!.deps.approvals.get(approvalId);
    for (const r of [a!, b!]) {
      for (const plan of stored?.approval.plan ?? [])
        await r.deps.queue.enqueueRemediation({
          incidentId: id,
          approvalId,
          host: plan.host,
          commandDigest: plan.digest,
        });
    }
    await waitFor("every remediation outcome", async () => {
      const done = (await a!.deps.timeline.read(id)).filter(
        (e) => e.type === "remediation-finished",
      );
      return done.length === HOSTS.length;
    });
    const decided = (await a!.deps.timeline.read(id)).filter(
      (e) => e.type === "approval-granted" || e.type === "approval-denied",
    );
    expect(decided).toHaveLength(1);
    if (decided[0]?.type === "approval-granted") {
      for (const host of HOSTS)
        expect(readFileSync(join(dir, `${host}.marker`), "utf8")).toBe("ran\n");
    }
  });

  it("with two approvals required, waits for a second approver, counts each once, and runs once", async () => {
    const prefix = uniquePrefix("two-person");
    const [a, b] = [
      await start(prefix, 60_000, { approvalsRequired: 2 }),
      await start(prefix, 60_000, { approvalsRequired: 2 }),
    ];
    const declared = await declareIncident(a!.deps, {
      title: "Two people",
      hosts: HOSTS,
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    const { approvalId } = (await requested(a!, id)).details;

    const first = await decideApproval(a!.deps, {
      approvalId,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(first).toMatchObject({ ok: true, value: { decision: null, stillNeeded: 1 } });
    const again = await decideApproval(b!.deps, {
      approvalId,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(again).toMatchObject({ ok: false, code: "already-approved-by-you" });
    expect((await a!.deps.approvals.get(approvalId))?.decision).toBeNull();
    for (const host of HOSTS) expect(() => readFileSync(join(dir, `${host}.marker`))).toThrow();

    const clicks = await Promise.all([
      decideApproval(a!.deps, { approvalId, decision: "approved", by: "U-APPROVER-2" }),
      decideApproval(b!.deps, { approvalId, decision: "approved", by: "U-APPROVER-2" }),
    ]);
    expect(clicks.filter((c) => c.ok)).toHaveLength(1);
    await waitFor("every remediation outcome", async () => {
      const done = (await a!.deps.timeline.read(id)).filter(
        (e) => e.type === "remediation-finished",
      );
      return done.length === HOSTS.length;
    });
    const grants = (await a!.deps.timeline.read(id)).filter((e) => e.type === "approval-granted");
    expect(grants.map((g) => (g.type === "approval-granted" ? g.details.approvals : 0))).toEqual([
      1, 2,
    ]);
    for (const host of HOSTS)
      expect(readFileSync(join(dir, `${host}.marker`), "utf8")).toBe("ran\n");
  });

  it("refuses a job for a host, incident or command the approval did not show, records why, and runs nothing", async () => {
    const runtime = await start(uniquePrefix("bound"));
    const declared = await declareIncident(runtime.deps, {
      title: "Bound",
      hosts: ["p1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    const { approvalId } = (await requested(runtime, id)).details;
    // Approved for p1 only; then jobs are forged as someone with queue access could.
    const stored = await runtime.deps.approvals.get(approvalId);
    const digest = stored?.approval.plan[0]?.digest ?? "";
    await runtime.deps.approvals.grant(stored!.approval, { by: "U-APPROVER", at: Date.now() });
    const forged = [
      { incidentId: id, approvalId, host: "p2", commandDigest: digest },
      { incidentId: "inc-20260101-other", approvalId, host: "p1", commandDigest: digest },
      { incidentId: id, approvalId, host: "p1", commandDigest: "0".repeat(64) },
    ];
    for (const job of forged) await runtime.deps.queue.enqueueRemediation(job);
    const refused = await waitFor("three refusals", async () => {
      const events = (await runtime.deps.timeline.read(id)).filter(
        (e) => e.type === "remediation-refused",
      );
      return events.length === 3 ? events : null;
    });
    const reasons = refused.map((e) => (e.type === "remediation-refused" ? e.details.reason : ""));
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringContaining("p2 is not one of the approved hosts"),
        expect.stringContaining("the job is for incident inc-20260101-other"),
        expect.stringContaining("differ from the commands the approval showed"),
      ]),
    );
    for (const host of ["p1", "p2"]) {
      expect(() => readFileSync(join(dir, `${host}.marker`))).toThrow();
    }
    expect(await runtime.deps.approvals.remediationOutcome(approvalId, "p1")).toBeNull();
  });

  it("expires an unanswered request on the clock, and a later click changes nothing and says why", async () => {
    // 10 incident-clock minutes at 20 ms each: the request expires after 200 ms.
    const runtime = await start(uniquePrefix("expiry"), 20);
    const declared = await declareIncident(runtime.deps, {
      title: "Expiry",
      hosts: ["p1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const id = declared.value.incident.id;
    const approval = await requested(runtime, id);
    await waitFor("the expiry", async () =>
      (await runtime.deps.timeline.read(id)).some((e) => e.type === "approval-expired"),
    );
    const late = await decideApproval(runtime.deps, {
      approvalId: approval.details.approvalId,
      decision: "approved",
      by: "U-APPROVER",
    });
    expect(late).toMatchObject({ ok: false, code: "expired" });
    expect(late.ok ? "" : late.message).toContain("expired");
  });
});
