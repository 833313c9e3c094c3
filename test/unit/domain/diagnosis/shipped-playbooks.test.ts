import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Playbook } from "../../../../src/domain/playbook";
import { formatIssuePath, validatePlaybook } from "../../../../src/domain/playbook-validation";
import { resolveVariables } from "../../../../src/domain/playbook-variables";
import { parseTemplate, renderTemplate } from "../../../../src/domain/template";
import { playbookKind } from "../../../../src/domain/playbook";
import { serviceReaders } from "../../../../src/domain/services/readers";
import { ParserName, kindOfParser, proxyKindList } from "../../../../src/domain/proxies/registry";

const dir = join(__dirname, "../../../../playbooks");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

function load(file: string): Playbook {
  const result = Playbook.safeParse(parse(readFileSync(join(dir, file), "utf8")));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
    throw new Error(`${file}: ${issues.join("\n")}`);
  }
  return result.data;
}

function commandsOf(playbook: Playbook): { at: string; template: string }[] {
  return Object.entries(playbook.phases).flatMap(([phase, steps]) =>
    (steps ?? []).flatMap((step, index) => {
      const at = `${phase}[${index}] ${step.id}`;
      switch (step.kind) {
        case "manual":
          return [];
        case "remediation":
          return [
            { at: `${at}.run`, template: step.run },
            { at: `${at}.precheck`, template: step.precheck.run },
            { at: `${at}.verify`, template: step.verify.run },
          ];
        default:
          return [{ at, template: step.run }];
      }
    }),
  );
}

const serviceVarsFor: Record<string, Record<string, string>> = {
  systemd: { unit: "app.service" },
  docker: { container: "app" },
  kubernetes: { namespace: "web", selector: "app=web", deployment: "web" },
};

describe("the shipped playbooks", () => {
  it("include apache-502 and at least one more playbook", () => {
    expect(files).toContain("apache-502.yaml");
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)("%s parses against the playbook schema and validates cleanly", (file) => {
    const playbook = load(file);
    expect(validatePlaybook(playbook)).toEqual([]);
    expect(`${playbook.id}.yaml`).toBe(file);
  });

  it.each(files)("%s renders every command into shell that dash and bash accept", (file) => {
    const playbook = load(file);
    const { values, problems } = resolveVariables(playbook.vars, {
      // A service playbook's variables come from the inventory's services: entry.
      hostVars: {
        upstream_url: "http://upstream.internal:8080/health",
        ...(playbook.service ? serviceVarsFor[playbook.service] : {}),
      },
    });
    expect(problems).toEqual([]);
    for (const { at, template } of commandsOf(playbook)) {
      const command = renderTemplate(parseTemplate(template), values);
      for (const shell of ["dash", "bash"]) {
        try {
          execFileSync(shell, ["-n", "-c", command], { stdio: "pipe" });
        } catch (error) {
          throw new Error(`${file} ${at} does not parse in ${shell}: ${String(error)}`);
        }
      }
    }
  });

  const configTests: Record<string, string> = {
    apache: "configtest",
    nginx: "-t",
    haproxy: "-c -f",
  };

  it.each(proxyKindList.map((kind) => [kind.defaultPlaybook, kind] as const))(
    "%s is for its kind and names every parser the rules read for it",
    (id, kind) => {
      const playbook = load(`${id}.yaml`);
      expect(playbookKind(playbook)).toBe(kind.name);
      const parsers = new Set(
        Object.values(playbook.phases).flatMap((steps) =>
          (steps ?? []).flatMap((s) => ("parse" in s && s.parse ? [s.parse] : [])),
        ),
      );
      const expected = ParserName.options.filter((name) => {
        // The service managers' parsers belong to the upstream-service playbooks.
        if (Object.hasOwn(serviceReaders, name)) return false;
        const owner = kindOfParser(name);
        return owner === undefined || owner === kind.name;
      });
      expect([...parsers].sort()).toEqual([...expected].sort());
    },
  );

  it.each(proxyKindList.map((kind) => [kind.defaultPlaybook, kind.name] as const))(
    "%s covers all three phases and gates every remediation behind its config test",
    (id, kind) => {
      const playbook = load(`${id}.yaml`);
      expect(Object.keys(playbook.phases).sort()).toEqual(["immediate", "long-term", "short-term"]);
      const remediations = (playbook.phases.immediate ?? []).filter(
        (s) => s.kind === "remediation",
      );
      expect(remediations.length).toBeGreaterThan(0);
      for (const step of remediations) {
        if (step.kind === "remediation") {
          expect(step.precheck.run).toContain(configTests[kind]);
          expect(step.verify.attempts).toBeGreaterThan(1);
        }
      }
      expect((playbook.phases["long-term"] ?? []).every((s) => s.kind === "manual")).toBe(true);
    },
  );

  it("apache-502 covers all three phases and gates reload and restart behind configtest", () => {
    const playbook = load("apache-502.yaml");
    expect(Object.keys(playbook.phases).sort()).toEqual(["immediate", "long-term", "short-term"]);
    const remediations = (playbook.phases.immediate ?? []).filter((s) => s.kind === "remediation");
    expect(remediations.map((s) => s.id)).toEqual(["graceful-reload", "restart"]);
    for (const step of remediations) {
      if (step.kind === "remediation") expect(step.precheck.run).toContain("configtest");
    }
    expect((playbook.phases["long-term"] ?? []).every((s) => s.kind === "manual")).toBe(true);
  });
});
