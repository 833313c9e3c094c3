import type { VariableSpec } from "../../../src/domain/playbook";
import {
  OPTION_LIKE,
  checkVariableValue,
  resolveVariables,
} from "../../../src/domain/playbook-variables";

const spec = (type: VariableSpec["type"], extra: Partial<VariableSpec> = {}): VariableSpec => ({
  type,
  required: true,
  ...extra,
});

describe("typed playbook variables", () => {
  it.each([
    ["word", "apache2ctl"],
    ["path", "/var/log/apache2/error.log"],
    ["url", "http://127.0.0.1:8080/health"],
    ["hostname", "backend.internal"],
    ["hostname", "10.0.1.5"],
    ["hostname", "::1"],
    ["port", 8080],
    ["port", "443"],
    ["integer", 5],
    ["string", "anything ' goes; $(here)"],
    ["string", "a -rf"],
  ] as const)("accepts a %s such as %j", (type, value) => {
    expect(checkVariableValue(spec(type), value)).toBeNull();
  });

  it.each([
    ["word", "-rf"],
    ["word", "two words"],
    ["path", "relative/path"],
    ["path", "/var/log\n/etc/passwd"],
    ["url", "ftp://host/"],
    ["url", "http://host/ a"],
    ["hostname", "bad host"],
    ["hostname", "-oProxyCommand=x"],
    ["port", 0],
    ["port", 70000],
    ["integer", "12abc"],
  ] as const)("refuses a %s such as %j", (type, value) => {
    expect(checkVariableValue(spec(type), value)).not.toBeNull();
  });

  // Quoted or not, a word starting with "-" is an option to the command that receives it.
  it.each([
    ["string", "-rf"],
    ["string", "--output=/etc/passwd"],
    ["integer", -5],
    ["integer", "-1"],
  ] as const)("refuses a %s starting with a dash such as %j", (type, value) => {
    expect(checkVariableValue(spec(type), value)).toBe(OPTION_LIKE);
  });

  it("refuses a url whose host starts with a dash, which `| host` would hand over alone", () => {
    expect(checkVariableValue(spec("url"), "http://-lkp/")).toMatch(/http/);
    expect(checkVariableValue(spec("url"), "http://a-b.example/")).toBeNull();
  });

  it("applies min, max and pattern", () => {
    expect(checkVariableValue(spec("integer", { min: 1, max: 60 }), 0)).toMatch(/at least 1/);
    expect(checkVariableValue(spec("integer", { min: 1, max: 60 }), 61)).toMatch(/at most 60/);
    expect(checkVariableValue(spec("word", { pattern: "apache2?ctl" }), "apachectl")).toBeNull();
    expect(checkVariableValue(spec("word", { pattern: "apache2?ctl" }), "xapachectl")).toMatch(
      /pattern/,
    );
  });

  it("takes overrides over host vars over defaults and reports what is missing or wrong", () => {
    const specs = {
      a: spec("integer", { default: 1 }),
      b: spec("integer", { default: 1 }),
      c: spec("integer", { default: 1 }),
      d: spec("path"),
      e: spec("path", { required: false }),
      f: spec("port"),
    };
    const resolved = resolveVariables(specs, {
      hostVars: { b: 2, c: 2, f: "http", unrelated: "x" },
      overrides: { c: 3 },
    });
    expect(resolved.values).toEqual({ a: "1", b: "2", c: "3" });
    expect(resolved.problems).toEqual([
      'variable "d": no value (no default, no host var)',
      expect.stringMatching(/^variable "f": "http" is not valid: a port number/),
    ]);
  });
});
