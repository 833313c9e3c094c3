import { announceEvent } from "../../../src/app/announce-event";
import { buildIncidentCard } from "../../../src/app/build-incident-card";
import { declareIncident } from "../../../src/app/declare-incident";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { Playbook } from "../../../src/domain/playbook";
import type { TimelineEvent } from "../../../src/domain/timeline";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";
import { REFUSED_LINES, triagePlaybook } from "../../fakes/triage-playbook";

const last = { isLastAttempt: true };

/** proxy-2's upstream refuses; proxy-1's server-status shows every worker busy (deeper only). */
function fleet(): FakeRemoteExecutor {
  return new FakeRemoteExecutor().reply((host, command) => {
    const broken = host === "proxy-2";
    if (command === "echo errors") return { stdout: broken ? `${REFUSED_LINES}\n` : "" };
    if (command === "echo probe") {
      return broken
        ? { exitCode: 7, stdout: "http_code=000\n" }
        : { stdout: "http_code=200 time_total=0.002\n" };
    }
    if (command === "echo status") {
      return {
        stdout: host === "proxy-1" ? "BusyWorkers: 5\nIdleWorkers: 0\n" : "IdleWorkers: 9\n",
      };
    }
    return { stdout: "ok\n" };
  });
}

async function declared(h: Harness) {
  const result = await declareIncident(h.deps, {
    title: "Edge answers 502",
    severity: "sev1",
    hosts: ["proxy-1", "proxy-2"],
    declaredBy: "U-DECL",
  });
  if (!result.ok) throw new Error(result.message);
  return result.value.incident;
}

const diagnoses = (events: TimelineEvent[]) =>
  events.flatMap((e) => (e.type === "diagnosis" ? [e] : []));

describe("triage in an incident", () => {
  let h: Harness;

  beforeEach(() => {
    h = lifecycleHarness({
      executor: fleet(),
      hosts: testHosts(["proxy-1", "proxy-2"]),
      playbooks: [triagePlaybook()],
      settings: { defaultPlaybooks: { apache: "triage-test" }, approvers: ["U-APPROVER"] },
    });
  });

  it("writes the triage diagnosis once every host's triage is in, before that host's deeper steps and the final diagnosis", async () => {
    const incident = await declared(h);
    for (const job of [...h.queue.hostRuns]) await executeHostRun(h.deps, job, last);
    const events = await h.timeline.read(incident.id);
    const [triage, final] = diagnoses(events);
    expect(triage?.details.stage).toBe("triage");
    expect(triage?.details.diagnosis).toMatchObject({
      cause: "upstream_refused",
      hosts: ["proxy-2"],
    });
    const at = (e: TimelineEvent | undefined) => events.indexOf(e as TimelineEvent);
    const deeperOnLastHost = events.findIndex(
      (e) =>
        e.type === "step-finished" &&
        e.details.host === "proxy-2" &&
        e.details.stepId === "workers",
    );
    expect(at(triage)).toBeLessThan(deeperOnLastHost);
    expect(at(triage)).toBeLessThan(at(final));
    expect(final?.details.stage).toBe("final");
    expect(final?.details.refinement).toEqual({
      from: "upstream_refused",
      causeChanged: true,
      addedCauses: ["proxy_exhausted"],
      addedHosts: [],
    });
    // Every step lands once on the timeline; approvals follow the final diagnosis only.
    const finished = events.filter((e) => e.type === "step-finished").map((e) => e.key);
    expect(finished).toHaveLength(new Set(finished).size);
    expect(finished).toHaveLength(10);
    const approval = events.findIndex((e) => e.type === "approval-requested");
    expect(approval).toBeGreaterThan(at(final));
  });

  it("holds each host's deeper steps until the group's triage diagnosis is written, at most deeperStepsWaitMs", async () => {
    h = lifecycleHarness({
      executor: fleet(),
      hosts: testHosts(["proxy-1", "proxy-2"]),
      playbooks: [triagePlaybook()],
      settings: { defaultPlaybooks: { apache: "triage-test" }, deeperStepsWaitMs: 10_000 },
    });
    const incident = await declared(h);
    // Both hosts at once, as the workers run them.
    await Promise.all(h.queue.hostRuns.map((job) => executeHostRun(h.deps, job, last)));
    const events = await h.timeline.read(incident.id);
    const [triage] = diagnoses(events);
    const firstDeeper = events.findIndex(
      (e) => e.type === "step-started" && e.details.stepId === "workers",
    );
    expect(events.indexOf(triage as TimelineEvent)).toBeLessThan(firstDeeper);

    // A host alone (its group's other host never reports) waits no longer than the setting.
    h = lifecycleHarness({
      executor: fleet(),
      hosts: testHosts(["proxy-1", "proxy-2"]),
      playbooks: [triagePlaybook()],
      settings: { defaultPlaybooks: { apache: "triage-test" }, deeperStepsWaitMs: 200 },
    });
    const lonely = await declared(h);
    const [one] = h.queue.hostRuns;
    await executeHostRun(h.deps, one!, last);
    const steps = (await h.timeline.read(lonely.id)).filter((e) => e.type === "step-finished");
    expect(steps.map((e) => (e.type === "step-finished" ? e.details.stepId : ""))).toContain(
      "workers",
    );
  });

  it("tells triage first, then what the deeper steps changed, and the card says which stage it shows", async () => {
    const incident = await declared(h);
    const [first, second] = h.queue.hostRuns;
    await executeHostRun(h.deps, first!, last);
    await executeHostRun(h.deps, second!, last);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    const texts = h.chat.of("postMessage").map((m) => m.text);
    const triageAt = texts.findIndex((t) =>
      t.startsWith(
        "Diagnosis: upstream_refused on proxy-2 (triage: the deeper steps are still running)",
      ),
    );
    const finalAt = texts.findIndex((t) =>
      t.startsWith(
        "Final diagnosis: proxy_exhausted on proxy-1 (the deeper steps changed the cause from upstream_refused; added proxy_exhausted)",
      ),
    );
    expect(triageAt).toBeGreaterThanOrEqual(0);
    expect(finalAt).toBeGreaterThan(triageAt);
    const events = await h.timeline.read(incident.id);
    const triageOnly = events.slice(0, events.indexOf(diagnoses(events)[0]!) + 1);
    expect(buildIncidentCard(incident, triageOnly, h.clock.now()).diagnosisStage).toBe("triage");
    expect(buildIncidentCard(incident, events, h.clock.now()).diagnosisStage).toBe("final");
  });

  it("adds nothing when a host's job runs again after a crash", async () => {
    const incident = await declared(h);
    const jobs = [...h.queue.hostRuns];
    for (const job of jobs) await executeHostRun(h.deps, job, last);
    const before = await h.timeline.read(incident.id);
    for (const job of jobs) await executeHostRun(h.deps, job, last);
    const after = await h.timeline.read(incident.id);
    expect(after.map((e) => e.key)).toEqual(before.map((e) => e.key));
    expect(diagnoses(after)).toHaveLength(2);
  });

  it("confirms in one line when the deeper steps change nothing", async () => {
    h = lifecycleHarness({
      executor: new FakeRemoteExecutor().reply((host, command) => {
        if (host === "proxy-2" && command === "echo errors")
          return { stdout: `${REFUSED_LINES}\n` };
        if (host === "proxy-2" && command === "echo probe") return { exitCode: 7, stdout: "" };
        return { stdout: command === "echo probe" ? "http_code=200\n" : "IdleWorkers: 9\n" };
      }),
      hosts: testHosts(["proxy-1", "proxy-2"]),
      playbooks: [triagePlaybook()],
      settings: { defaultPlaybooks: { apache: "triage-test" } },
    });
    await declared(h);
    for (const job of [...h.queue.hostRuns]) await executeHostRun(h.deps, job, last);
    for (const job of h.queue.announcements.splice(0)) await announceEvent(h.deps, job);
    expect(h.chat.of("postMessage").map((m) => m.text)).toContain(
      "Final diagnosis: confirms upstream_refused on proxy-2 (every step is in).",
    );
  });
});

describe("triage over a mixed fleet", () => {
  it("waits for the run without triage steps and then covers every host of the group", async () => {
    const nginx = Playbook.parse({
      id: "nginx-test",
      proxy: "nginx",
      title: "nginx test",
      description: "One log step, no triage.",
      phases: {
        immediate: [
          {
            id: "log",
            title: "Log",
            kind: "diagnostic",
            run: "echo nginx",
            parse: "nginx-error-log",
          },
        ],
      },
    });
    const h = lifecycleHarness({
      executor: fleet(),
      hosts: [
        ...testHosts(["proxy-2"]),
        ...testHosts(["edge-1"]).map((host) => ({ ...host, kind: "nginx" as const })),
      ],
      playbooks: [triagePlaybook(), nginx],
      settings: { defaultPlaybooks: { apache: "triage-test", nginx: "nginx-test" } },
    });
    const result = await declareIncident(h.deps, {
      title: "Mixed",
      severity: "sev2",
      hosts: ["proxy-2", "edge-1"],
      declaredBy: "U-DECL",
    });
    if (!result.ok) throw new Error(result.message);
    const jobs = [...h.queue.hostRuns];
    const byHost = (name: string) => jobs.find((job) => job.host === name)!;
    await executeHostRun(h.deps, byHost("edge-1"), last);
    expect(diagnoses(await h.timeline.read(result.value.incident.id))).toHaveLength(0);
    await executeHostRun(h.deps, byHost("proxy-2"), last);
    const [triage, final] = diagnoses(await h.timeline.read(result.value.incident.id));
    expect(triage?.details.stage).toBe("triage");
    expect(Object.keys(triage?.details.perHost ?? {}).sort()).toEqual(["edge-1", "proxy-2"]);
    expect(final?.details.stage).toBe("final");
    expect(final?.key.replace("diagnosis:", "")).toBe(triage?.key.replace("diagnosis-triage:", ""));
  });
});
