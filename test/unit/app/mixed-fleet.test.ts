import { declareIncident } from "../../../src/app/declare-incident";
import { executeHostRun } from "../../../src/app/execute-host-run";
import { runIncidentPlaybook } from "../../../src/app/run-incident-playbook";
import { Playbook } from "../../../src/domain/playbook";
import type { ProxyKindName } from "../../../src/domain/proxies/registry";
import type { TimelineEvent } from "../../../src/domain/timeline";
import { FakeRemoteExecutor } from "../../fakes/fake-remote-executor";
import { lifecycleHarness, testHosts, type Harness } from "../../fakes/lifecycle-harness";

// A phase over a mixed fleet: each host runs its own kind's playbook, one run per kind, and the
// incident gets one diagnosis over every host once all runs are in.
function kindPlaybook(kind: ProxyKindName, parser: string, remediation: string): Playbook {
  return Playbook.parse({
    id: `${kind}-test`,
    proxy: kind,
    title: `${kind} test`,
    description: "One log step and a remediation.",
    phases: {
      immediate: [
        {
          id: "error-log",
          title: "Error log",
          kind: "diagnostic",
          run: `cat ${kind}.log`,
          parse: parser,
        },
        {
          id: "reload",
          title: `Reload ${kind}`,
          kind: "remediation",
          run: remediation,
          precheck: { run: "true" },
          verify: { run: "true", attempts: 1, interval: "1s" },
        },
      ],
    },
  });
}

const apacheRefused =
  "[Thu Jan 15 09:59:00.000000 2026] [proxy:error] [pid 1:tid 2] (111)Connection refused: AH00957: http: attempt to connect to 10.0.0.5:8080 (app.internal:8080) failed";
const nginxRefused =
  '2026/01/15 09:59:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://10.0.0.6:8080/", host: "x"';
const haproxyNoServer =
  'Jan 15 09:59:00 lb-1 haproxy[9]: 127.0.0.1:1 [15/Jan/2026:09:59:00.000] web app/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"';

function fleet(): Harness {
  const executor = new FakeRemoteExecutor().reply((_host, command) => {
    const clock = "clock: 1768471200 +0000\n"; // 2026-01-15 10:00 UTC, the harness's now
    if (command.includes("cat apache.log")) return { exitCode: 0, stdout: clock + apacheRefused };
    if (command.includes("cat nginx.log")) return { exitCode: 0, stdout: clock + nginxRefused };
    if (command.includes("cat haproxy.log"))
      return { exitCode: 0, stdout: clock + haproxyNoServer };
    return { exitCode: 0, stdout: "" };
  });
  const hosts = [
    ...testHosts(["web-1"]),
    ...testHosts(["edge-1", "edge-2"]).map((h) => ({ ...h, kind: "nginx" as const })),
    ...testHosts(["lb-1"]).map((h) => ({ ...h, kind: "haproxy" as const })),
  ];
  return lifecycleHarness({
    executor,
    hosts,
    playbooks: [
      kindPlaybook("apache", "apache-error-log", "apache2ctl graceful"),
      kindPlaybook("nginx", "nginx-error-log", "nginx -s reload"),
      kindPlaybook("haproxy", "haproxy-log", "kill -USR2 1"),
    ],
    settings: {
      approvers: ["U-APPROVER"],
      defaultPlaybooks: { apache: "apache-test", nginx: "nginx-test", haproxy: "haproxy-test" },
    },
  });
}

const ofType = <T extends TimelineEvent["type"]>(events: TimelineEvent[], type: T) =>
  events.filter((e): e is Extract<TimelineEvent, { type: T }> => e.type === type);

describe("a mixed fleet", () => {
  it("starts one run per kind, each host with its kind's playbook, and diagnoses them together", async () => {
    const h = fleet();
    const declared = await declareIncident(h.deps, {
      title: "Checkout answers 502",
      hosts: ["web-1", "edge-1", "edge-2", "lb-1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const { incident } = declared.value;
    let events = await h.timeline.read(incident.id);
    const started = ofType(events, "playbook-started");
    expect(started.map((e) => [e.details.playbook, e.details.hosts])).toEqual([
      ["apache-test", ["web-1"]],
      ["nginx-test", ["edge-1", "edge-2"]],
      ["haproxy-test", ["lb-1"]],
    ]);
    expect(new Set(started.map((e) => e.details.runId)).size).toBe(3);

    const jobs = [...h.queue.hostRuns];
    expect(jobs).toHaveLength(4);
    // All but the last host: no diagnosis yet, whichever run finishes first.
    for (const job of jobs.slice(0, -1)) await executeHostRun(h.deps, job, { isLastAttempt: true });
    expect(ofType(await h.timeline.read(incident.id), "diagnosis")).toHaveLength(0);
    await executeHostRun(h.deps, jobs[jobs.length - 1]!, { isLastAttempt: true });

    events = await h.timeline.read(incident.id);
    const [diagnosis, ...more] = ofType(events, "diagnosis");
    expect(more).toHaveLength(0);
    expect(diagnosis?.details.perHost).toEqual({
      "web-1": "upstream_refused",
      "edge-1": "upstream_refused",
      "edge-2": "upstream_refused",
      "lb-1": "upstream_unhealthy",
    });
    expect(diagnosis?.details.diagnosis.cause).toBe("upstream_refused");
    // Each kind's recommendation in its own words.
    expect(diagnosis?.details.diagnosis.recommendation).toMatch(
      /^Apache \(web-1\): .*nginx \(edge-1 and edge-2\): .*fail_timeout/,
    );

    // One approval per kind's remediation, each on its own kind's hosts with its own command.
    const requested = ofType(events, "approval-requested");
    expect(requested.map((e) => [e.details.hosts, e.details.commands])).toEqual([
      [["web-1"], ["apache2ctl graceful"]],
      [["edge-1", "edge-2"], ["nginx -s reload"]],
      [["lb-1"], ["kill -USR2 1"]],
    ]);
  });

  it("runs a named playbook on its own kind's hosts and refuses hosts of another kind a person named", async () => {
    const h = fleet();
    const declared = await declareIncident(h.deps, {
      title: "Edge answers 502",
      hosts: ["web-1", "edge-1"],
      declaredBy: "U-DECL",
    });
    if (!declared.ok) throw new Error(declared.message);
    const incident = { incidentId: declared.value.incident.id };
    const refused = await runIncidentPlaybook(h.deps, {
      incident,
      playbook: "nginx-test",
      hosts: ["web-1", "edge-1"],
      by: "U-DECL",
    });
    expect(refused).toMatchObject({
      ok: false,
      message: expect.stringMatching(/nginx-test is for nginx hosts; web-1 \(apache\) is not/),
    });
    const onIncident = await runIncidentPlaybook(h.deps, {
      incident,
      playbook: "nginx-test",
      by: "U-DECL",
    });
    expect(onIncident).toMatchObject({
      ok: true,
      value: { hosts: ["edge-1"], leftOut: [{ name: "web-1", kind: "apache" }] },
    });
  });
});
