import { declareIncident } from "../../src/app/declare-incident";
import { resolveIncident } from "../../src/app/resolve-incident";
import { clockEntries, clockEntryName, DEFAULT_REMINDERS } from "../../src/domain/phase-clock";
import type { TimelineEvent } from "../../src/domain/timeline";
import type { Runtime } from "../../src/main";
import { FakeChat } from "../fakes/fake-chat";
import { LocalShellExecutor } from "../fakes/local-shell-executor";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { startTestRuntime, waitFor } from "./lifecycle/runtime";
import { startWorkerChild, type WorkerChild } from "./lifecycle/worker-child";

/** 24 incident-clock hours at 20 ms a minute: the whole incident in under 30 seconds. */
const MINUTE_MS = 20;
/**
 * Generous on purpose, so a loaded CI machine does not flake; the bar (within 1 s) is
 * measured precisely by bench/lifecycle, which reports the whole distribution.
 */
const TOLERANCE_MS = 3000;

function clockName(e: TimelineEvent): string | null {
  if (e.type === "phase-changed" && e.details.scheduledAt !== undefined) {
    return `phase-${e.details.to}`;
  }
  if (e.type === "status-update" && e.details.reminder) return e.key;
  return null;
}

describe("the phase clock of a whole incident", () => {
  let bot: Runtime;
  const children: WorkerChild[] = [];
  let env: Record<string, string>;

  beforeEach(async () => {
    const prefix = uniquePrefix("clock");
    env = {
      TEST_REDIS_URL: testRedisUrl(),
      TEST_PREFIX: prefix,
      TEST_HOST_VARS: "{}",
      TEST_PHASE_MINUTE_MS: String(MINUTE_MS),
    };
    bot = await startTestRuntime({
      redisUrl: testRedisUrl(),
      prefix,
      chat: new FakeChat(),
      executor: new LocalShellExecutor(),
      hosts: [],
      workers: false,
      phaseMinuteMs: MINUTE_MS,
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill("SIGKILL");
    await bot.close();
  });

  it("fires every phase change and reminder once, in order, near its time, across a worker restart", async () => {
    children.push(await startWorkerChild(env));
    const declared = await declareIncident(bot.deps, {
      title: "Clock",
      hosts: [],
      declaredBy: "U1",
    });
    const cancelled = await declareIncident(bot.deps, {
      title: "Resolved",
      hosts: [],
      declaredBy: "U1",
    });
    if (!declared.ok || !cancelled.ok) throw new Error("declare failed");
    const id = declared.value.incident.id;
    const resolved = await resolveIncident(bot.deps, {
      incident: { incidentId: cancelled.value.incident.id },
      by: "U1",
    });
    expect(resolved.ok).toBe(true);
    const fired = async (): Promise<TimelineEvent[]> =>
      (await bot.deps.timeline.read(id)).filter((e) => clockName(e) !== null);

    // Restart the worker in the quiet hour between the reminders at minutes 120 and 180.
    await waitFor("reminder-120", async () =>
      (await fired()).some((e) => e.key === "reminder-120"),
    );
    await children[0]!.kill("SIGTERM");
    children.push(await startWorkerChild(env));

    const expected = clockEntries(DEFAULT_REMINDERS).map(clockEntryName);
    const events = await waitFor(
      "the last reminder",
      async () => {
        const all = await fired();
        return all.length >= expected.length ? all : null;
      },
      40_000,
    );
    expect(events.map(clockName)).toEqual(expected);
    const lateness = events.map((e) => {
      const scheduledAt =
        e.type === "status-update" || e.type === "phase-changed" ? e.details.scheduledAt : 0;
      return e.at - (scheduledAt ?? 0);
    });
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(TOLERANCE_MS);
    const other = await bot.deps.timeline.read(cancelled.value.incident.id);
    expect(other.filter((e) => clockName(e) !== null)).toEqual([]);
  }, 90_000);
});
