import { Playbook, type Step } from "../../../src/domain/playbook";
import { validatePlaybook } from "../../../src/domain/playbook-validation";
import type { Diagnosis } from "../../../src/domain/step-result";
import {
  isTriageStep,
  refinementMatters,
  refinementOf,
  triageOrder,
} from "../../../src/domain/triage";

const step = (id: string, extra: Record<string, unknown> = {}): Step =>
  ({ id, title: id, kind: "diagnostic", run: "true", ...extra }) as Step;

const diagnosis = (cause: Diagnosis["cause"], hosts: string[], others = {}): Diagnosis => ({
  cause,
  hosts,
  summary: "s",
  recommendation: "r",
  ...others,
});

describe("triage steps", () => {
  it("puts the triage steps first, each group in the playbook's order", () => {
    const steps = [
      step("deep-1"),
      step("log", { triage: true, parse: "apache-error-log" }),
      step("deep-2"),
      step("probe", { triage: true, parse: "http-probe" }),
    ];
    const { ordered, triage } = triageOrder(steps);
    expect(ordered.map((s) => s.id)).toEqual(["log", "probe", "deep-1", "deep-2"]);
    expect(triage.map((s) => s.id)).toEqual(["log", "probe"]);
  });

  it("has no triage stage when every command step is a triage step", () => {
    const steps = [
      step("log", { triage: true, parse: "apache-error-log" }),
      { id: "tick", title: "tick", kind: "manual" } as Step,
    ];
    expect(triageOrder(steps).triage).toEqual([]);
    expect(isTriageStep(steps[0] as Step)).toBe(true);
    expect(isTriageStep(steps[1] as Step)).toBe(false);
  });

  it("refuses triage on a remediation and a triage step without a parser", () => {
    const base = { id: "p", title: "P", description: "D" };
    const remediation = Playbook.safeParse({
      ...base,
      phases: {
        immediate: [
          {
            id: "reload",
            title: "Reload",
            kind: "remediation",
            triage: true,
            run: "apache2ctl graceful",
            precheck: { run: "true" },
            verify: { run: "true" },
          },
        ],
      },
    });
    expect(remediation.success).toBe(false);
    const unparsed = Playbook.parse({
      ...base,
      phases: {
        immediate: [{ id: "look", title: "Look", kind: "diagnostic", run: "true", triage: true }],
      },
    });
    expect(validatePlaybook(unparsed)).toEqual([
      {
        path: "phases.immediate[0].triage",
        message: "a triage step needs `parse:` to feed the diagnosis",
      },
    ]);
  });
});

describe("refinementOf", () => {
  it("says nothing changed when the final diagnosis is the triage one", () => {
    const same = diagnosis("upstream_refused", ["proxy-2"]);
    const refinement = refinementOf(same, same);
    expect(refinement).toEqual({
      from: "upstream_refused",
      causeChanged: false,
      addedCauses: [],
      addedHosts: [],
    });
    expect(refinementMatters(refinement)).toBe(false);
  });

  it("names a changed cause and the causes the deeper steps added", () => {
    const triage = diagnosis("healthy", ["proxy-1"]);
    const final = diagnosis("proxy_exhausted", ["proxy-1"], {
      others: [{ cause: "upstream_timeout", hosts: ["proxy-2"] }],
    });
    const refinement = refinementOf(triage, final);
    expect(refinement.causeChanged).toBe(true);
    expect(refinement.addedCauses).toEqual(["proxy_exhausted", "upstream_timeout"]);
    expect(refinementMatters(refinement)).toBe(true);
  });

  it("names hosts the same cause spread to", () => {
    const refinement = refinementOf(
      diagnosis("upstream_refused", ["proxy-1"]),
      diagnosis("upstream_refused", ["proxy-1", "proxy-3"]),
    );
    expect(refinement.addedHosts).toEqual(["proxy-3"]);
    expect(refinementMatters(refinement)).toBe(true);
  });
});
