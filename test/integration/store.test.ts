import type { Approval } from "../../src/domain/approval";
import { Redis } from "ioredis";
import { createRedisStores, RedisAlertStore, redisKeys } from "../../src/adapters/store";
import type { Incident } from "../../src/domain/incident";
import type { TimelineEvent } from "../../src/domain/timeline";
import { testRedisUrl, uniquePrefix } from "../support/redis";

const incident = (id: string, declaredAt: number): Incident => ({
  id,
  title: "502 on edge",
  severity: "sev2",
  state: "open",
  phase: "immediate",
  commander: "U1",
  declaredBy: "U1",
  hosts: ["proxy-1"],
  channel: null,
  messageRef: null,
  declaredAt,
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
});

const note = (key: string, at: number): TimelineEvent => ({
  type: "note",
  key,
  at,
  actor: { kind: "person", id: "U1" },
  summary: `note ${key}`,
  details: { text: key },
});

const reloadApproval: Approval = {
  id: "apr-run-x-reload",
  incidentId: "inc-x",
  runId: "run-x",
  playbook: "apache-502",
  stepId: "reload",
  title: "Reload",
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
  precheck: null,
  requestedBy: "U1",
  requester: "U1",
  requestedAt: 1,
  expiresAt: 100,
};

describe("the Redis stores", () => {
  let redis: Redis;
  let stores: ReturnType<typeof createRedisStores>;
  let prefix: string;

  beforeEach(() => {
    redis = new Redis(testRedisUrl());
    prefix = uniquePrefix("store");
    stores = createRedisStores(redis, prefix);
  });
  afterEach(async () => {
    await redis.quit();
  });

  it("saves an incident once, finds it by id and by channel, and lists open ones newest first", async () => {
    expect(await stores.incidents.create(incident("inc-20260101-a", 1000))).toBe(true);
    expect(await stores.incidents.create(incident("inc-20260101-a", 1000))).toBe(false);
    await stores.incidents.create(incident("inc-20260101-b", 2000));
    await stores.incidents.update("inc-20260101-a", (c) => ({ ...c, channel: "C1" }));
    expect((await stores.incidents.findByChannel("C1"))?.id).toBe("inc-20260101-a");
    await stores.incidents.update("inc-20260101-b", (c) => ({ ...c, state: "resolved" }));
    expect((await stores.incidents.list({ openOnly: true, limit: 10 })).map((i) => i.id)).toEqual([
      "inc-20260101-a",
    ]);
    expect((await stores.incidents.list({ openOnly: false, limit: 10 })).map((i) => i.id)).toEqual([
      "inc-20260101-b",
      "inc-20260101-a",
    ]);
  });

  it("points the channel at an incident created with one", async () => {
    await stores.incidents.create({ ...incident("inc-20260101-c", 1000), channel: "C7" });
    expect((await stores.incidents.findByChannel("C7"))?.id).toBe("inc-20260101-c");
  });

  it("applies concurrent updates one after the other without losing any", async () => {
    await stores.incidents.create(incident("inc-20260101-c", 1000));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stores.incidents.update("inc-20260101-c", (c) => ({ ...c, hosts: [...c.hosts, `h${i}`] })),
      ),
    );
    const stored = await stores.incidents.get("inc-20260101-c");
    expect(stored?.hosts).toHaveLength(21);
    expect(stored?.version).toBe(20);
  });

  it("appends a timeline event once per key, even when appends race", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => stores.timeline.append("inc-x", note("same", 5))),
    );
    expect(results.filter((r) => r.appended)).toHaveLength(1);
    await stores.timeline.append("inc-x", note("other", 6));
    const events = await stores.timeline.read("inc-x");
    expect(events.map((e) => e.key)).toEqual(["same", "other"]);
    expect((await stores.timeline.getByKey("inc-x", "other"))?.summary).toBe("note other");
    expect(await stores.timeline.getByKey("inc-x", "missing")).toBeNull();
  });

  it("reads a timeline again with what was appended since, by this process or another", async () => {
    const other = createRedisStores(redis, prefix);
    await stores.timeline.append("inc-20260101-t", note("one", 1));
    expect((await stores.timeline.read("inc-20260101-t")).map((e) => e.key)).toEqual(["one"]);
    await other.timeline.append("inc-20260101-t", note("two", 2));
    await stores.timeline.append("inc-20260101-t", note("three", 3));
    const read = await stores.timeline.read("inc-20260101-t");
    expect(read.map((e) => e.key)).toEqual(["one", "two", "three"]);
    // What a caller does to its copy is not what the next read returns.
    read.pop();
    expect(await stores.timeline.read("inc-20260101-t")).toHaveLength(3);
    // A stream deleted and written anew is read whole again, not added to the old one.
    await redis.del(`${prefix}:timeline:inc-20260101-t`, `${prefix}:timeline:inc-20260101-t:keys`);
    await other.timeline.append("inc-20260101-t", note("fresh", 4));
    expect((await stores.timeline.read("inc-20260101-t")).map((e) => e.key)).toEqual(["fresh"]);
    expect(await stores.timeline.read("inc-20260101-nothing")).toEqual([]);
    expect(await stores.timeline.has("inc-20260101-t", "fresh")).toBe(true);
    expect(await stores.timeline.has("inc-20260101-t", "one")).toBe(false);
  });

  it("remembers which messages of an announcement went out, per incident", async () => {
    expect(await stores.deliveries.wasSent("inc-y", "diagnosis:run-1#message")).toBe(false);
    await stores.deliveries.markSent("inc-y", "diagnosis:run-1#message");
    await stores.deliveries.markSent("inc-y", "diagnosis:run-1#message");
    expect(await stores.deliveries.wasSent("inc-y", "diagnosis:run-1#message")).toBe(true);
    expect(await stores.deliveries.wasSent("inc-y", "diagnosis:run-1#output:proxy-1")).toBe(false);
    expect(await stores.deliveries.wasSent("inc-z", "diagnosis:run-1#message")).toBe(false);
  });

  it("records one decision when two clicks arrive at once", async () => {
    await stores.approvals.create(reloadApproval);
    const [a, b] = await Promise.all([
      stores.approvals.decide("apr-run-x-reload", { state: "approved", by: "U2", at: 2 }),
      stores.approvals.decide("apr-run-x-reload", { state: "denied", by: "U3", at: 2 }),
    ]);
    expect([a.recorded, b.recorded].filter(Boolean)).toHaveLength(1);
    expect(a.decision).toEqual(b.decision);
    expect(await stores.approvals.claimRemediation("apr-run-x-reload", "proxy-1")).toBe(true);
    expect(await stores.approvals.claimRemediation("apr-run-x-reload", "proxy-1")).toBe(false);
  });

  it("adds approvals atomically: with two required, four clicks at once complete it once", async () => {
    const approval = { ...reloadApproval, id: "apr-run-y-reload", required: 2 };
    await stores.approvals.create(approval);
    const clicks = await Promise.all(
      ["U2", "U3", "U2", "U4"].map((by) => stores.approvals.grant(approval, { by, at: 3 })),
    );
    expect(clicks.filter((c) => c.recorded)).toHaveLength(2);
    const stored = await stores.approvals.get(approval.id);
    expect(stored?.grants).toHaveLength(2);
    expect(stored?.decision?.state).toBe("approved");
    expect(new Set(stored?.grants.map((g) => g.by)).size).toBe(2);
  });

  it("holds a host's remediation lock for one holder, released only by its token", async () => {
    expect(await stores.approvals.lockHost("proxy-1", "a", 5000)).toBe(true);
    expect(await stores.approvals.lockHost("proxy-1", "b", 5000)).toBe(false);
    await stores.approvals.unlockHost("proxy-1", "b");
    expect(await stores.approvals.lockHost("proxy-1", "b", 5000)).toBe(false);
    await stores.approvals.unlockHost("proxy-1", "a");
    expect(await stores.approvals.lockHost("proxy-1", "b", 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(await stores.approvals.lockHost("proxy-1", "c", 5000)).toBe(true);
  });

  it("counts finished hosts so that exactly one finisher completes the run", async () => {
    await stores.runs.createRun({
      runId: "run-x-immediate-0",
      incidentId: "inc-x",
      playbook: "apache-502",
      phase: "immediate",
      hosts: ["a", "b", "c"],
      startedAt: 1,
      requestedBy: "U1",
    });
    const counts = await Promise.all(
      ["a", "b", "c"].map((host) =>
        stores.runs.finishHost("run-x-immediate-0", { host, steps: [], findings: [] }),
      ),
    );
    expect(counts.filter((c) => c.finished === c.total)).toHaveLength(1);
    expect(await stores.runs.hostReports("run-x-immediate-0")).toHaveLength(3);
  });
});

describe("the alert store's claim of a firing alert", () => {
  let redis: Redis;
  let prefix: string;
  let alerts: RedisAlertStore;
  let stores: ReturnType<typeof createRedisStores>;
  const storm = { limit: 100, windowMs: 3_600_000 };
  const firing = (candidate: string, now: number) => ({
    candidate,
    now,
    storm,
    repeat: { ...note(`alert-repeat-${now}`, now) },
    firing: { ...note("alert-firing", now) },
  });

  beforeEach(() => {
    redis = new Redis(testRedisUrl());
    prefix = uniquePrefix("alert-store");
    alerts = new RedisAlertStore(redis, redisKeys(prefix));
    stores = createRedisStores(redis, prefix);
  });
  afterEach(async () => {
    await redis.quit();
  });

  it("gives a key to one of many deliveries at once; the others land on its timeline once each", async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        alerts.claimFiring("alertmanager", "g1", firing(`inc-20260101-${i}`, 1000 + i)),
      ),
    );
    const winners = claims.filter((c) => c.kind === "claimed");
    expect(winners).toHaveLength(1);
    const holder = await alerts.holder("alertmanager", "g1");
    expect(claims.filter((c) => c.kind === "repeat").every((c) => c.incidentId === holder)).toBe(
      true,
    );
    await stores.incidents.create(incident(holder ?? "", 1000));
    // The firing first, written with the claim; then each repeat once.
    const keys = (await stores.timeline.read(holder ?? "")).map((e) => e.key);
    expect(keys[0]).toBe("alert-firing");
    expect(keys.slice(1)).toHaveLength(7);
    expect(keys.slice(1).every((key) => key.startsWith("alert-repeat-"))).toBe(true);
  });

  it("lets a claim whose declare was lost lapse after ten minutes, and one whose incident resolved go", async () => {
    expect(
      await alerts.claimFiring("alertmanager", "g2", firing("inc-20260101-dead", 1000)),
    ).toMatchObject({
      kind: "claimed",
    });
    // No incident record: being declared (its job queued), for ten minutes.
    expect(
      await alerts.claimFiring("alertmanager", "g2", firing("inc-20260101-b", 9 * 60_000)),
    ).toEqual({
      kind: "repeat",
      incidentId: "inc-20260101-dead",
    });
    expect(
      await alerts.claimFiring("alertmanager", "g2", firing("inc-20260101-c", 11 * 60_000)),
    ).toMatchObject({
      kind: "claimed",
    });
    await stores.incidents.create(incident("inc-20260101-c", 11 * 60_000));
    // An open incident holds its key however long it lasts.
    expect(
      await alerts.claimFiring("alertmanager", "g2", firing("inc-20260101-d", 10_000_000)),
    ).toEqual({
      kind: "repeat",
      incidentId: "inc-20260101-c",
    });
    await stores.incidents.update("inc-20260101-c", (c) => ({ ...c, state: "resolved" }));
    expect(
      await alerts.claimFiring("alertmanager", "g2", firing("inc-20260101-e", 10_000_001)),
    ).toMatchObject({
      kind: "claimed",
    });
    expect(await alerts.holder("alertmanager", "g2")).toBe("inc-20260101-e");
  });

  it("releases a claim only for its holder", async () => {
    await alerts.claimFiring("alertmanager", "g3", firing("inc-20260101-f", 1000));
    await alerts.release("alertmanager", "g3", "inc-20260101-other");
    expect(await alerts.holder("alertmanager", "g3")).toBe("inc-20260101-f");
    await alerts.release("alertmanager", "g3", "inc-20260101-f");
    expect(await alerts.holder("alertmanager", "g3")).toBeNull();
  });

  it("admits up to the storm limit in the window, then names the recent incidents", async () => {
    const small = { limit: 2, windowMs: 60_000 };
    const claim = (key: string, id: string, now: number) =>
      alerts.claimFiring("alertmanager", key, { ...firing(id, now), storm: small });
    expect(await claim("s1", "inc-20260101-1", 1000)).toEqual({ kind: "claimed", admitted: true });
    expect(await claim("s2", "inc-20260101-2", 2000)).toEqual({ kind: "claimed", admitted: true });
    expect(await claim("s3", "inc-20260101-3", 3000)).toEqual({
      kind: "claimed",
      admitted: false,
      recent: ["inc-20260101-2", "inc-20260101-1"],
    });
    expect(await claim("s4", "inc-20260101-4", 62_500)).toEqual({
      kind: "claimed",
      admitted: true,
    });
  });
});
