import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnoseHost, primaryCause, type StepEvidence } from "../../../../src/domain/diagnosis";
import { Cause } from "../../../../src/domain/cause";
import { MODE_SIGNATURES, isBreakMode } from "../../../lab/modes";

/**
 * The error and access logs real Apache wrote for every break mode and its variants, captured by
 * the lab (test/fixtures/apache/, see test/lab/capture-fixtures.ts). Files are named
 * MODE[--VARIANT].error.log / .access.log; `healthy` is the unbroken host.
 */
const dir = join(__dirname, "../../../fixtures/apache");
const read = (name: string): string => readFileSync(join(dir, name), "utf8");

/** When the logs were captured: the stale-log rule measures against it, not against today. */
const capturedAt = Date.parse(/on (\S+Z)/.exec(read("VERSION"))?.[1] ?? "");
const context = { windowMinutes: 15, nowMs: capturedAt };

const names = readdirSync(dir)
  .filter((f) => f.endsWith(".error.log"))
  .map((f) => f.replace(/\.error\.log$/, ""))
  .sort();

function expectedCause(name: string): Cause {
  const mode = name.split("--")[0] ?? name;
  return isBreakMode(mode) ? MODE_SIGNATURES[mode].cause : "healthy";
}

/** `$ apache2ctl configtest    # exit status 1` and the lines after it, up to the next `$`. */
function configtestOf(name: string): StepEvidence[] {
  const file = `${name}.configtest.txt`;
  const text = existsSync(join(dir, file))
    ? read(file)
    : "$ apache2ctl configtest # exit status 0\nSyntax OK\n";
  const section = /^\$ \S+ configtest\s+# exit status (\d+)\n([\s\S]*?)(?=^\$ |$(?![\s\S]))/m.exec(
    text,
  );
  const output = section?.[2] ?? "";
  const exitCode = Number(section?.[1] ?? 0);
  return [{ stepId: "configtest", parser: "apache-configtest", status: "ok", exitCode, output }];
}

function evidenceFor(name: string): StepEvidence[] {
  const logs: StepEvidence[] = [
    {
      stepId: "error-log",
      parser: "apache-error-log",
      status: "ok",
      exitCode: 0,
      output: read(`${name}.error.log`),
    },
  ];
  if (existsSync(join(dir, `${name}.access.log`))) {
    const output = read(`${name}.access.log`);
    logs.push({
      stepId: "access-log",
      parser: "apache-access-log",
      status: "ok",
      exitCode: 0,
      output,
    });
  }
  return [...logs, ...configtestOf(name)];
}

describe("diagnosis of the logs Apache wrote for each break mode", () => {
  it("has a capture for every break mode and for the healthy host", () => {
    const modes = new Set(names.map((n) => n.split("--")[0]));
    expect([...modes].sort()).toEqual([...Object.keys(MODE_SIGNATURES), "healthy"].sort());
  });

  it.each(names.map((name) => ({ name, cause: expectedCause(name) })))(
    "reads $name as $cause",
    ({ name, cause }) => {
      const findings = diagnoseHost(evidenceFor(name), context);
      expect(primaryCause(findings)).toBe(cause);
    },
  );

  it.each(names.filter((n) => expectedCause(n) !== "healthy" && read(`${n}.error.log`).trim()))(
    "cites only lines of the %s logs as evidence",
    (name) => {
      const [finding] = diagnoseHost(evidenceFor(name), context);
      const text = evidenceFor(name)
        .map((e) => e.output)
        .join("\n");
      expect(finding?.evidence.length).toBeGreaterThan(0);
      for (const line of finding?.evidence ?? []) expect(text).toContain(line);
    },
  );
});
