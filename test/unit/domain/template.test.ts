import { execFileSync } from "node:child_process";
import {
  parseTemplate,
  renderTemplate,
  TemplateValueError,
  shellQuote,
  templateVariables,
} from "../../../src/domain/template";

function render(template: string, values: Record<string, string>): string {
  return renderTemplate(parseTemplate(template), values);
}

/** Runs a rendered command through a real sh and returns each argument printf received. */
function argumentsSeenByShell(command: string): string[] {
  const out = execFileSync("sh", ["-c", command], { encoding: "utf8" });
  return out.split("\u0001").slice(0, -1);
}

describe("command templates", () => {
  it("replaces each placeholder by one single-quoted word", () => {
    expect(render("tail -n {{ lines }} {{ log }}", { lines: "200", log: "/var/log/a b.log" })).toBe(
      "tail -n '200' '/var/log/a b.log'",
    );
  });

  it("applies url filters for host, port, scheme and path", () => {
    const url = "https://api.internal:8443/health?deep=1";
    const values = { u: url };
    expect(render("{{ u | host }} {{ u | port }} {{u|scheme}} {{ u | path }}", values)).toBe(
      "'api.internal' '8443' 'https' '/health?deep=1'",
    );
    expect(render("{{ u | port }}", { u: "http://backend/" })).toBe("'80'");
    expect(render("{{ u | host }}", { u: "http://[::1]:81/" })).toBe("'::1'");
  });

  it("lists the variables and filters a template uses", () => {
    const parsed = parseTemplate(
      "nc -z {{ upstream_url | host }} {{ upstream_url | port }} {{ n }}",
    );
    expect(templateVariables(parsed)).toEqual([
      { name: "upstream_url", filter: "host" },
      { name: "upstream_url", filter: "port" },
      { name: "n", filter: null },
    ]);
  });

  it("refuses a placeholder inside single or double quotes", () => {
    expect(parseTemplate("grep '{{ pattern }}' x").problems[0]).toMatch(/inside quotes/);
    expect(parseTemplate('echo "a {{ x }}"').problems[0]).toMatch(/inside quotes/);
  });

  it("accepts a placeholder after a closed quote and after escaped quotes", () => {
    expect(parseTemplate("echo 'a' {{ x }} \\' {{ y }}").problems).toEqual([]);
  });

  it("refuses a placeholder right after a dollar sign", () => {
    expect(parseTemplate("echo ${{ x }}").problems[0]).toMatch(/follows "\$"/);
  });

  it("refuses unknown filters, malformed and unclosed placeholders", () => {
    expect(parseTemplate("{{ x | upper }}").problems[0]).toMatch(/unknown filter "upper"/);
    expect(parseTemplate("{{ X-1 }}").problems[0]).toMatch(/malformed placeholder/);
    expect(parseTemplate("echo {{ x").problems[0]).toMatch(/never closed/);
  });

  it("refuses to render a variable that has no value", () => {
    expect(() => render("echo {{ x }}", {})).toThrow(/no value for variable "x"/);
  });

  it("refuses a value that starts with a dash, after its filter, naming the variable", () => {
    expect(() => render("nc -z {{ u | host }} {{ u | port }}", { u: "http://-lkp/" })).toThrow(
      'variable "u | host" starts with "-"',
    );
    expect(() => render("rm -- {{ name }}", { name: "-rf" })).toThrow(TemplateValueError);
    expect(() => render("sleep {{ n }}", { n: "-5" })).toThrow('variable "n" starts with "-"');
    expect(render("echo {{ s }}", { s: "a -rf" })).toBe("echo 'a -rf'");
  });

  it("quotes single quotes the POSIX way", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  const hostile = [
    "; rm -rf /",
    "$(echo injected)",
    "`echo injected`",
    "' ; echo injected ; '",
    '" ; echo injected ; "',
    "a\nb; echo injected",
    "$HOME ${PATH} * ? [a-z] ~ & | < > \\",
    "'\\''",
    "",
  ];

  it.each(hostile)("delivers %j to the command as exactly one literal argument", (value) => {
    const command = render("printf '%s\\001' {{ value }}", { value });
    expect(argumentsSeenByShell(command)).toEqual([value]);
  });

  it("keeps hostile values literal next to other arguments", () => {
    const values = { a: "x y", b: "$(id)" };
    const command = render("printf '%s\\001' {{ a }} fixed {{ b }}", values);
    expect(argumentsSeenByShell(command)).toEqual(["x y", "fixed", "$(id)"]);
  });
});
