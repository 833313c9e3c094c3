import { diagnoseFleet, diagnoseHost, type StepEvidence } from "../../../../src/domain/diagnosis";
import type { Finding } from "../../../../src/domain/step-result";

// Real lines from the lab's upstream-stopped and upstream-hang hosts (Apache 2.4.71, Debian 12).
const REFUSED = [
  "[Sun Nov 22 22:24:14.960731 2026] [proxy:error] [pid 27144:tid 27160] (111)Connection refused: AH00957: http: attempt to connect to 127.0.1.1:9000 (upstream.proxy-1.lab:9000) failed",
  "[Sun Nov 22 22:24:14.960812 2026] [proxy_http:error] [pid 27144:tid 27160] [client 127.0.0.1:41802] AH01114: HTTP: failed to make connection to backend: upstream.proxy-1.lab",
];
const TIMEOUT =
  "[Sun Nov 22 22:24:26.955655 2026] [proxy_http:error] [pid 27192:tid 27206] (70007)The timeout specified has expired: [client 127.0.0.1:57494] AH01102: error reading status line from remote server upstream.proxy-2.lab:9000";
const ACCESS_502 =
  '127.0.0.1 - - [22/Nov/2026:22:24:23 +0000] "GET /api/ HTTP/1.1" 502 638 "-" "incident-lab/1" 3005980';

/** `date '+clock: %s %z'` on the host, N seconds after 22:24:26 UTC. */
const clockAfter = (seconds: number) =>
  `clock: ${Date.parse("2026-11-22T22:24:26Z") / 1000 + seconds} +0000`;
const context = { windowMinutes: 15, nowMs: Date.parse("2026-11-22T22:25:00Z") };

const step = (parser: StepEvidence["parser"], output: string, exitCode = 0): StepEvidence => ({
  stepId: parser,
  parser,
  status: "ok",
  exitCode,
  output,
});
const errorLog = (...lines: string[]) => step("apache-error-log", lines.join("\n") + "\n");
const causes = (findings: Finding[]) => findings.map((f) => f.cause);

describe("diagnosing one host at the edges", () => {
  it("says unknown, never healthy, when no step produced anything", () => {
    expect(causes(diagnoseHost([], context))).toEqual(["unknown"]);
    const blind = { ...errorLog(...REFUSED), status: "error" as const };
    expect(causes(diagnoseHost([blind], context))).toEqual(["unknown"]);
  });

  it("calls an empty error log with a clock line healthy, less sure without probes", () => {
    const [finding] = diagnoseHost([errorLog(clockAfter(0))], context);
    expect(finding).toMatchObject({ cause: "healthy", confidence: 0.6 });
  });

  it("counts only lines inside the window of the host's clock", () => {
    const recent = diagnoseHost([errorLog(clockAfter(60), ...REFUSED)], context);
    expect(causes(recent)[0]).toBe("upstream_refused");
    const later = diagnoseHost([errorLog(clockAfter(16 * 60), ...REFUSED)], context);
    expect(causes(later)).toEqual(["healthy"]);
  });

  it("takes the host's UTC offset into account for the error log's local times", () => {
    // The host runs on UTC+1: its local 22:24 is 21:24 UTC, 61 minutes before its clock.
    const clock = `clock: ${Date.parse("2026-11-22T22:25:00Z") / 1000} +0100`;
    expect(causes(diagnoseHost([errorLog(clock, ...REFUSED)], context))).toEqual(["healthy"]);
  });

  it("anchors the window at the newest line when the clock line is missing", () => {
    const old = REFUSED[0]?.replace("22:24:14", "21:00:00") ?? "";
    const findings = diagnoseHost([errorLog(old, TIMEOUT)], context);
    expect(causes(findings)).toEqual(["upstream_timeout"]);
  });

  it("ignores a log whose newest line is days older than our clock when there is no clock line", () => {
    const nextWeek = { windowMinutes: 15, nowMs: context.nowMs + 7 * 24 * 3600_000 };
    expect(causes(diagnoseHost([errorLog(...REFUSED)], nextWeek))).toEqual(["healthy"]);
  });

  it("still reads the complete lines of an output cut off by the size cap", () => {
    const cut = `${clockAfter(1)}\n${REFUSED.join("\n")}\n[Sun Nov 22 22:24:1\n…[output truncated after 65536 bytes; 1234 more bytes dropped]\n`;
    const [finding] = diagnoseHost([step("apache-error-log", cut)], context);
    expect(finding?.cause).toBe("upstream_refused");
    expect(finding?.evidence.every((line) => !line.includes("truncated"))).toBe(true);
  });

  it("is surer when the log and a failing probe agree", () => {
    const logOnly = diagnoseHost([errorLog(clockAfter(1), ...REFUSED)], context)[0];
    const nc = step(
      "tcp-probe",
      "nc: connect to upstream.proxy-1.lab (127.0.1.1) port 9000 (tcp) failed: Connection refused\n",
      1,
    );
    const both = diagnoseHost([errorLog(clockAfter(1), ...REFUSED), nc], context)[0];
    expect(both?.confidence).toBeGreaterThan(logOnly?.confidence ?? 1);
    expect(both?.evidence).toContain(
      "nc: connect to upstream.proxy-1.lab (127.0.1.1) port 9000 (tcp) failed: Connection refused",
    );
  });

  it("does not repeat a log line that differs only in time, pid and client port", () => {
    const again = (REFUSED[0] ?? "").replace("14.960731", "15.001234").replace("27144", "27145");
    const [finding] = diagnoseHost([errorLog(clockAfter(1), ...REFUSED, again)], context);
    const connectLines = finding?.evidence.filter((l) => l.includes("AH00957")) ?? [];
    expect(connectLines).toHaveLength(1);
    expect(connectLines[0]).toBe(again);
  });

  it("says unknown when clients got 502s but no log line or probe explains them", () => {
    const access = step("apache-access-log", `${clockAfter(0)}\n${ACCESS_502}\n`);
    const [finding] = diagnoseHost([access], context);
    expect(finding).toMatchObject({ cause: "unknown", evidence: [ACCESS_502] });
  });

  it("lists a lone weak hint after the healthy verdict instead of before it", () => {
    const hint =
      "[Sun Nov 22 22:12:12.357706 2026] [mpm_event:error] [pid 11529:tid 11529] AH10159: server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting";
    const findings = diagnoseHost([errorLog(hint)], context);
    expect(causes(findings)).toEqual(["healthy", "proxy_exhausted"]);
  });
});

describe("a host that recovered after its errors", () => {
  const at = (time: string, status: number) =>
    `127.0.0.1 - - [22/Nov/2026:${time} +0000] "GET /api/ HTTP/1.1" ${status} 198 "-" "incident-lab/1" 7473`;
  const probeOk = step("http-probe", "http_code=200 time_total=0.001787 url=http://u:9000/\n");
  const accessLog = (...lines: string[]) =>
    step("apache-access-log", `${clockAfter(120)}\n${lines.join("\n")}\n`);
  const errors = errorLog(clockAfter(120), ...REFUSED);

  it("is healthy again, the past cause listed weakly, once clients are served for a minute", () => {
    const access = accessLog(
      at("22:24:14", 503),
      at("22:25:00", 200),
      at("22:25:10", 200),
      at("22:25:20", 200),
    );
    const findings = diagnoseHost([errors, access, probeOk], context);
    expect(causes(findings)).toEqual(["healthy", "upstream_refused"]);
    expect(findings[0]?.evidence[0]).toBe(
      "recovered: 3 requests since the last proxy error (22:24:14 UTC), none answered 5xx",
    );
    expect(findings[1]?.confidence).toBeLessThan(0.5);
  });

  it.each([
    [
      "a 5xx came after the last error line",
      [at("22:25:00", 200), at("22:25:10", 502), at("22:25:20", 200), at("22:25:30", 200)],
      probeOk,
    ],
    ["too few answers came after it", [at("22:25:00", 200), at("22:25:20", 200)], probeOk],
    [
      "the answers span less than a minute",
      [at("22:24:20", 200), at("22:24:30", 200), at("22:24:40", 200)],
      probeOk,
    ],
    [
      "the upstream probe fails now",
      [at("22:25:00", 200), at("22:25:10", 200), at("22:25:20", 200)],
      step(
        "http-probe",
        "http_code=000 time_total=0\ncurl: (7) Failed to connect to u port 9000 after 0 ms: Couldn't connect to server\n",
        7,
      ),
    ],
  ])("is not called recovered when %s", (_why, lines, probe) => {
    const findings = diagnoseHost([errors, accessLog(...lines), probe], context);
    expect(causes(findings)[0]).toBe("upstream_refused");
  });
});

describe("diagnosing the fleet", () => {
  const refused: Finding = { cause: "upstream_refused", evidence: REFUSED, confidence: 0.9 };
  const healthy: Finding = { cause: "healthy", evidence: [], confidence: 0.9 };
  const config: Finding = { cause: "config_invalid", evidence: ["AH00526: x"], confidence: 0.95 };

  it("names the hosts, the upstream and the unreachable hosts in one readable summary", () => {
    const diagnosis = diagnoseFleet([
      { host: "proxy-1", reachable: true, findings: [refused] },
      { host: "proxy-2", reachable: true, findings: [refused] },
      { host: "proxy-3", reachable: true, findings: [healthy] },
      { host: "proxy-4", reachable: false, findings: [] },
    ]);
    expect(diagnosis).toMatchObject({
      cause: "upstream_refused",
      hosts: ["proxy-1", "proxy-2"],
      others: [{ cause: "healthy", hosts: ["proxy-3"] }],
    });
    expect(diagnosis.summary).toBe(
      "proxy-1 and proxy-2: the upstream refuses connections (upstream.proxy-1.lab:9000). proxy-3: no proxy errors and the upstream answers. proxy-4 could not be reached and was not diagnosed.",
    );
    expect(diagnosis.recommendation).toContain(
      "Nothing listens on upstream.proxy-1.lab:9000 as seen from proxy-1 and proxy-2",
    );
  });

  it("prefers a problem on one host to healthy on many, and reports a broken config beside it", () => {
    const diagnosis = diagnoseFleet([
      { host: "a", reachable: true, findings: [healthy] },
      { host: "b", reachable: true, findings: [healthy] },
      { host: "c", reachable: true, findings: [refused, config] },
    ]);
    expect(diagnosis.cause).toBe("upstream_refused");
    expect(diagnosis.others).toEqual([
      { cause: "healthy", hosts: ["a", "b"] },
      { cause: "config_invalid", hosts: ["c"] },
    ]);
  });

  it("is healthy only when every reached host is", () => {
    const diagnosis = diagnoseFleet([
      { host: "a", reachable: true, findings: [healthy] },
      { host: "b", reachable: true, findings: [healthy] },
    ]);
    expect(diagnosis).toMatchObject({ cause: "healthy", hosts: ["a", "b"] });
    expect(diagnosis.others).toBeUndefined();
  });

  it("says there is nothing to diagnose when no step read the proxies (a manual-only phase)", () => {
    const nothing = diagnoseHost([], context);
    const diagnosis = diagnoseFleet([
      { host: "a", reachable: true, findings: nothing },
      { host: "b", reachable: true, findings: nothing },
    ]);
    expect(diagnosis.cause).toBe("unknown");
    expect(diagnosis.summary).toBe(
      "No step of this run read the state of a and b (manual items or checks only), so there is nothing to diagnose.",
    );
  });

  it("says unknown and how to reach the hosts when none could be reached", () => {
    const diagnosis = diagnoseFleet([
      { host: "a", reachable: false, findings: [] },
      { host: "b", reachable: false, findings: [] },
    ]);
    expect(diagnosis.cause).toBe("unknown");
    expect(diagnosis.summary).toBe(
      "No host could be diagnosed. a and b could not be reached and were not diagnosed.",
    );
  });
});
