import { Playbook } from "../../../src/domain/playbook";
import {
  checkInventoryVars,
  formatIssuePath,
  validatePlaybook,
} from "../../../src/domain/playbook-validation";

function playbook(overrides: Record<string, unknown>): Playbook {
  return Playbook.parse({
    id: "sample",
    title: "Sample",
    description: "A sample playbook",
    vars: {
      upstream_url: { type: "url", default: "http://127.0.0.1:8080/" },
      log: { type: "path" },
    },
    phases: { immediate: [{ id: "a", title: "A", kind: "diagnostic", run: "tail {{ log }}" }] },
    ...overrides,
  });
}

describe("playbook validation beyond the schema", () => {
  it("formats zod paths the way editors show them", () => {
    expect(formatIssuePath(["phases", "immediate", 2, "run"])).toBe("phases.immediate[2].run");
    expect(formatIssuePath([])).toBe("");
  });

  it("accepts a playbook whose templates use declared variables", () => {
    expect(validatePlaybook(playbook({}))).toEqual([]);
  });

  it("names the field of an unknown variable, a misplaced filter and a quoted placeholder", () => {
    const issues = validatePlaybook(
      playbook({
        phases: {
          immediate: [
            { id: "a", title: "A", kind: "diagnostic", run: "tail {{ log }}" },
            { id: "b", title: "B", kind: "diagnostic", run: "echo {{ foo }}" },
            { id: "c", title: "C", kind: "check", run: "nc {{ log | host }}", expect: {} },
          ],
          "long-term": [{ id: "d", title: "D", kind: "diagnostic", run: "grep '{{ log }}'" }],
        },
      }),
    );
    expect(issues).toEqual([
      {
        path: "phases.immediate[1].run",
        message: expect.stringMatching(/^unknown variable "foo"/),
      },
      {
        path: "phases.immediate[2].run",
        message: 'filter "host" applies to url variables; "log" is a path',
      },
      { path: "phases.long-term[0].run", message: expect.stringMatching(/inside quotes/) },
    ]);
  });

  it("checks remediation precheck and verify templates, regexes, defaults and duplicate ids", () => {
    const issues = validatePlaybook(
      playbook({
        vars: { n: { type: "integer", default: "ten" } },
        phases: {
          immediate: [
            { id: "a", title: "A", kind: "check", run: "true", expect: { matches: "(" } },
            {
              id: "a",
              title: "Reload",
              kind: "remediation",
              run: "apache2ctl graceful",
              precheck: { run: "apache2ctl {{ cmd }}" },
              verify: { run: "curl {{ n }}", expect: { notMatches: "[" } },
            },
          ],
        },
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      "vars.n.default",
      "phases.immediate[0].expect.matches",
      "phases.immediate[1].id",
      "phases.immediate[1].precheck.run",
      "phases.immediate[1].verify.expect.notMatches",
    ]);
  });

  it("names the host variable whose value starts with a dash, a url's host included", () => {
    const issues = checkInventoryVars(
      {
        "proxy-1": { vars: { log: "-rf", upstream_url: "http://-lkp:80/" } },
        "proxy-2": { vars: { log: "/var/log/ok.log" } },
      },
      playbook({}),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      "hosts.proxy-1.vars.upstream_url",
      "hosts.proxy-1.vars.log",
    ]);
    expect(issues[1]?.message).toMatch(/must not start with "-"/);
  });

  it("refuses a default that starts with a dash", () => {
    const issues = validatePlaybook(
      playbook({ vars: { log: { type: "path" }, n: { type: "integer", default: -5 } } }),
    );
    expect(issues).toEqual([
      { path: "vars.n.default", message: expect.stringMatching(/must not start with "-"/) },
    ]);
  });

  it("refuses arithmetic on a shell variable that holds a text value, not on a number", () => {
    const step = (run: string) => ({
      vars: {
        log: { type: "path" },
        name: { type: "string", default: "x" },
        minutes: { type: "integer", default: 15 },
      },
      phases: { immediate: [{ id: "a", title: "A", kind: "diagnostic", run }] },
    });
    const text = validatePlaybook(playbook(step("w={{ name }}; echo $(( w * 60 )) {{ log }}")));
    expect(text).toEqual([
      {
        path: "phases.immediate[0].run",
        message: expect.stringMatching(
          /^shell variable "w" holds \{\{ name \}\} \(a string\) and is read in arithmetic/,
        ),
      },
    ]);
    const braced = validatePlaybook(
      playbook(step('w={{ name }}; echo "$(( ${w} + 1 ))" {{ log }}')),
    );
    expect(braced).toHaveLength(1);
    const number = validatePlaybook(
      playbook(step("w={{ minutes }}; echo $(( w * 60 )) {{ log }}")),
    );
    expect(number).toEqual([]);
  });
});
