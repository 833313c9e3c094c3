import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { diagnoseFleet, diagnoseHost, primaryCause } from "../../../../src/domain/diagnosis";
import { ParserName } from "../../../../src/domain/proxies/registry";
import { Cause } from "../../../../src/domain/cause";
import { StepResult } from "../../../../src/domain/step-result";
import { MODE_SIGNATURES, isBreakMode } from "../../../lab/modes";

/**
 * Real output: the lab's nine proxies, proxy-N broken in mode N and proxy-9 healthy, run through
 * the shipped apache-502 playbook by `incident-bot run … --json` (see the fixture's "//" note).
 */
const Fixture = z.object({
  modes: z.record(z.string(), z.string()),
  hosts: z.array(z.object({ host: z.string(), steps: z.array(StepResult) })),
});
const fixture = Fixture.parse(
  JSON.parse(readFileSync(join(__dirname, "fixtures/lab-run-all-modes.json"), "utf8")),
);

/** Which parser each apache-502 step feeds (as the playbook declares it). */
const parserOf: Record<string, ParserName> = {
  "error-log": "apache-error-log",
  "access-log": "apache-access-log",
  "upstream-http": "http-probe",
  "upstream-port": "tcp-probe",
  "upstream-dns": "dns-probe",
  configtest: "apache-configtest",
  vhosts: "apache-vhosts",
  "proxy-modules": "apache-modules",
  "client-connections": "connections",
  "upstream-connections": "connections",
  "open-files": "open-files",
  "server-status": "server-status",
};

function evidenceOf(steps: StepResult[]) {
  return steps.flatMap((step) => {
    const parser = parserOf[step.id];
    return parser ? [{ stepId: step.id, parser, ...step }] : [];
  });
}

function expectedCause(mode: string): Cause {
  return isBreakMode(mode) ? MODE_SIGNATURES[mode].cause : "healthy";
}

/** The lab ran a few seconds before the capture; our clock is irrelevant (the host's counts). */
const context = { windowMinutes: 15, nowMs: Date.parse("2026-11-22T22:25:00Z") };

const cases = fixture.hosts.map((h) => {
  const mode = fixture.modes[h.host] ?? "healthy";
  return { host: h.host, mode, cause: expectedCause(mode), steps: h.steps };
});

describe("diagnosis of the real lab run with one failure mode per host", () => {
  it("covers every failure mode the lab can inject, plus a healthy host", () => {
    expect(cases.map((c) => c.mode).sort()).toEqual(
      [...Object.keys(MODE_SIGNATURES), "healthy"].sort(),
    );
  });

  it.each(cases)("$host ($mode) is diagnosed as $cause", ({ steps, cause }) => {
    const findings = diagnoseHost(evidenceOf(steps), context);
    expect(primaryCause(findings)).toBe(cause);
    expect(findings[0]?.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it.each(cases.filter((c) => c.cause !== "healthy"))(
    "$host ($mode) shows only real lines from its own step outputs as evidence",
    ({ steps }) => {
      const outputs = steps.map((s) => s.output).join("\n");
      const [finding] = diagnoseHost(evidenceOf(steps), context);
      expect(finding?.evidence.length).toBeGreaterThan(0);
      expect(finding?.evidence.length).toBeLessThanOrEqual(4);
      for (const line of finding?.evidence ?? []) expect(outputs).toContain(line);
    },
  );

  it.each(cases.filter((c) => isBreakMode(c.mode) && MODE_SIGNATURES[c.mode].errorLogCodes.length))(
    "$host ($mode) cites an error log line with one of the AH codes Apache wrote for it",
    ({ steps, mode }) => {
      const codes = isBreakMode(mode) ? MODE_SIGNATURES[mode].errorLogCodes : [];
      const [finding] = diagnoseHost(evidenceOf(steps), context);
      const cited = (finding?.evidence ?? []).join("\n");
      expect(codes.some((code) => cited.includes(code))).toBe(true);
    },
  );

  it("reports the broken config next to the healthy traffic on the config-syntax host", () => {
    const host = cases.find((c) => c.mode === "config-syntax");
    const findings = diagnoseHost(evidenceOf(host?.steps ?? []), context);
    expect(findings.map((f) => f.cause)).toEqual(["config_invalid", "healthy"]);
    expect(findings[0]?.evidence.join("\n")).toMatch(/AH00526: Syntax error on line \d+ of/);
  });

  it("puts worker exhaustion before the timeouts it causes on the worker-exhaustion host", () => {
    const host = cases.find((c) => c.mode === "worker-exhaustion");
    const causes = diagnoseHost(evidenceOf(host?.steps ?? []), context).map((f) => f.cause);
    expect(causes[0]).toBe("proxy_exhausted");
    expect(causes).toContain("upstream_timeout");
  });

  it("gives one fleet diagnosis naming every cause and every host of the run", () => {
    const reports = cases.map((c) => ({
      host: c.host,
      reachable: true,
      findings: diagnoseHost(evidenceOf(c.steps), context),
    }));
    const diagnosis = diagnoseFleet(reports);
    const named = [diagnosis.cause, ...(diagnosis.others ?? []).map((o) => o.cause)];
    expect(new Set(named)).toEqual(new Set(cases.map((c) => c.cause)));
    expect(named.length).toBe(new Set(named).size);
    for (const c of cases) expect(diagnosis.summary).toContain(c.host);
    expect(diagnosis.cause).not.toBe("healthy");
    expect(diagnosis.cause).not.toBe("config_invalid");
  });
});
