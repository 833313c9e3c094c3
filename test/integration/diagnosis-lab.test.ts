import { primaryCause } from "../../src/domain/diagnosis";
import type { PlaybookRunReport } from "../../src/domain/step-result";
import { hostReport, reportOnLab } from "../support/lab-cli";
import { BREAK_MODES, MODE_SIGNATURES, up, type BreakMode, type Lab } from "../lab/lab";

/**
 * `incident-bot run apache-502 --hosts lab --json` against the real lab: one lab for the file,
 * proxy-N broken in the N-th mode, the last proxy left healthy, one run over the whole group.
 * Then the broken hosts are fixed and a fresh run is checked again.
 */
const HOSTS = BREAK_MODES.length + 1;
const HEALTHY_HOST = `proxy-${HOSTS}`;
const hostOf = (mode: BreakMode): string => `proxy-${BREAK_MODES.indexOf(mode) + 1}`;

/** The `run` subcommand in-process, the way bin/incident-bot.js calls it. */
async function incidentBotRun(lab: Lab, ...args: string[]): Promise<PlaybookRunReport> {
  return reportOnLab(lab, "apache-502", ...args);
}

describe("Diagnosis of every failure the lab can inject, through incident-bot run", () => {
  let lab: Lab | undefined;
  let broken: PlaybookRunReport | undefined;
  const theLab = (): Lab => {
    if (!lab) throw new Error("the lab did not come up");
    return lab;
  };

  beforeAll(async () => {
    lab = await up(HOSTS);
    const current = lab;
    await Promise.all(
      BREAK_MODES.map(async (mode) => {
        await current.break(hostOf(mode), mode);
        // Clients keep coming during an incident; worker-exhaustion brings its own load.
        if (mode !== "worker-exhaustion") await current.hit(hostOf(mode), 3, "/api/");
      }),
    );
    await current.hit(HEALTHY_HOST, 3, "/api/");
    broken = await incidentBotRun(current, "--hosts", "lab");
  }, 240_000);

  afterAll(async () => {
    await lab?.down();
  }, 60_000);

  it.each(BREAK_MODES.map((mode) => ({ mode, host: hostOf(mode) })))(
    "diagnoses $mode on $host as its expected cause",
    ({ mode, host }) => {
      const report = hostReport(broken, host);
      expect(primaryCause(report.findings)).toBe(MODE_SIGNATURES[mode].cause);
      expect(report.findings[0]?.evidence.length).toBeGreaterThan(0);
    },
  );

  it("diagnoses the host that was never broken as healthy", () => {
    expect(primaryCause(hostReport(broken, HEALTHY_HOST).findings)).toBe("healthy");
  });

  it("gives one fleet diagnosis that names every cause once and every host", () => {
    const diagnosis = broken?.diagnosis;
    const named = [diagnosis?.cause, ...(diagnosis?.others ?? []).map((o) => o.cause)];
    const expected = [...BREAK_MODES.map((m) => MODE_SIGNATURES[m].cause), "healthy"];
    expect(new Set(named)).toEqual(new Set(expected));
    for (let i = 1; i <= HOSTS; i += 1) expect(diagnosis?.summary).toContain(`proxy-${i}`);
  });

  it("finds with apache-backend-tls that the https upstream speaks plain HTTP", async () => {
    const host = hostOf("backend-tls");
    const upstream = `upstream_url=https://upstream.${host}.lab:9000/`;
    const report = await reportOnLab(
      theLab(),
      "apache-backend-tls",
      "--hosts",
      host,
      "--var",
      upstream,
    );
    const result = hostReport(report, host);
    expect(primaryCause(result.findings)).toBe("backend_tls");
    expect(result.steps.find((s) => s.id === "upstream-speaks-plain-http")?.status).toBe("failed");
  }, 120_000);

  it("still sees the failure in the short-term phase's re-check of the last minutes", async () => {
    const host = hostOf("upstream-hang");
    const report = await incidentBotRun(theLab(), "--hosts", host, "--phase", "short-term");
    expect(primaryCause(hostReport(report, host).findings)).toBe("upstream_timeout");
  }, 120_000);

  it("finds nothing wrong in configtest once the config-syntax host is fixed", async () => {
    const host = hostOf("config-syntax");
    await theLab().fix(host);
    const report = await incidentBotRun(theLab(), "--hosts", host);
    expect(hostReport(report, host).findings.map((f) => f.cause)).toEqual(["healthy"]);
  }, 120_000);

  it("diagnoses a fixed host again as its new failure after another break", async () => {
    // Fix between cases: the stopped upstream comes back, then the same host gets a bad DNS name.
    const host = hostOf("upstream-stopped");
    await theLab().fix(host);
    await theLab().break(host, "dns-failure");
    await theLab().hit(host, 3, "/api/");
    const report = await incidentBotRun(theLab(), "--hosts", host);
    const causes = hostReport(report, host).findings.map((f) => f.cause);
    // The refusals of a minute ago are still in the window; the new failure must come first.
    expect(causes[0]).toBe("dns_failure");
  }, 120_000);

  it("reads on into error.log.1 and access.log.1 when the window reaches past a rotation", async () => {
    const host = hostOf("upstream-malformed");
    const [code = "AH01106"] = MODE_SIGNATURES["upstream-malformed"].errorLogCodes;
    // logrotate's way: move the logs aside, then a graceful reload makes Apache open new ones.
    const rotate = [
      "cd /var/log/apache2 && mv error.log error.log.1 && mv access.log access.log.1",
      "apache2ctl graceful",
      "for i in 1 2 3 4 5 6 7 8 9 10; do [ -e error.log ] && break; sleep 0.2; done",
    ].join(" && ");
    expect((await theLab().exec(host, ["sh", "-c", rotate])).code).toBe(0);
    const current = await theLab().exec(host, ["cat", "/var/log/apache2/error.log"]);
    expect(current.stdout).not.toContain(code);

    const report = hostReport(await incidentBotRun(theLab(), "--hosts", host), host);

    expect(primaryCause(report.findings)).toBe(MODE_SIGNATURES["upstream-malformed"].cause);
    expect(report.findings[0]?.evidence.join("\n")).toContain(code);
    const access = report.steps.find((s) => s.id === "access-log");
    expect(access?.output).toContain('"GET /api/ HTTP/1.1" 502');
  }, 120_000);
});
