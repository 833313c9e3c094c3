import type { Expectation, Playbook, Step, VariableSpec } from "./playbook";
import { playbookKind } from "./playbook";
import { kindOfParser, type ProxyKindName } from "./proxies/registry";
import { Phase } from "./phase";
import { checkVariableValue, safeRegExp } from "./playbook-variables";
import type { ShellSyntax } from "./shell-syntax";
import { readTemplate, templateVariables } from "./template";

/**
 * Checks a playbook beyond its schema: templates parse, use only declared variables (url filters
 * only on url variables), regular expressions compile, defaults fit their types, step ids are
 * unique, parsers fit the playbook's proxy kind. Each issue names its field as `phases.immediate[2].run`.
 */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** zod's issue path → `phases.immediate[2].run`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    const name = String(key);
    return text === "" ? name : `${text}.${name}`;
  }, "");
}

export function validatePlaybook(playbook: Playbook): ValidationIssue[] {
  return [...checkVariableSpecs(playbook.vars), ...checkSteps(playbook)];
}

function checkVariableSpecs(vars: Record<string, VariableSpec>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, spec] of Object.entries(vars)) {
    if (spec.pattern !== undefined && !safeRegExp(spec.pattern)) {
      issues.push({ path: `vars.${name}.pattern`, message: "not a valid regular expression" });
    }
    if (spec.default !== undefined) {
      const problem = checkVariableValue(spec, spec.default);
      if (problem) issues.push({ path: `vars.${name}.default`, message: problem });
    }
  }
  return issues;
}

function checkSteps(playbook: Playbook): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, string>();
  for (const phase of Phase.options) {
    (playbook.phases[phase] ?? []).forEach((step, index) => {
      const at = `phases.${phase}[${index}]`;
      const first = seen.get(step.id);
      if (first) {
        issues.push({
          path: `${at}.id`,
          message: `duplicate step id "${step.id}" (also ${first})`,
        });
      } else seen.set(step.id, at);
      issues.push(...checkStep(step, at, playbook.vars));
      issues.push(...checkParser(step, at, playbookKind(playbook)));
    });
  }
  return issues;
}

/** A triage step decides the cause, so the diagnosis must read it: it needs a parser. */
function checkTriage(
  step: Extract<Step, { kind: "diagnostic" | "check" }>,
  at: string,
): ValidationIssue[] {
  if (step.triage !== true || step.parse !== undefined) return [];
  return [{ path: `${at}.triage`, message: "a triage step needs `parse:` to feed the diagnosis" }];
}

/**
 * A step reads its output with a shared parser or one of its own proxy kind's: an nginx playbook
 * that parses with an Apache parser would find nothing and call every host healthy.
 */
function checkParser(step: Step, at: string, kind: ProxyKindName): ValidationIssue[] {
  if (step.kind !== "diagnostic" && step.kind !== "check") return [];
  const owner = step.parse === undefined ? undefined : kindOfParser(step.parse);
  if (owner === undefined || owner === kind) return [];
  const message = `parser "${step.parse}" reads ${owner} output; this playbook is for ${kind} (proxy: ${kind})`;
  return [{ path: `${at}.parse`, message }];
}

function checkStep(step: Step, at: string, vars: Record<string, VariableSpec>): ValidationIssue[] {
  switch (step.kind) {
    case "manual":
      return [];
    case "diagnostic":
      return [...checkTemplate(step.run, `${at}.run`, vars), ...checkTriage(step, at)];
    case "check":
      return [
        ...checkTemplate(step.run, `${at}.run`, vars),
        ...checkExpectation(step.expect, `${at}.expect`),
        ...checkTriage(step, at),
      ];
    case "remediation":
      return [
        ...checkTemplate(step.run, `${at}.run`, vars),
        ...checkTemplate(step.precheck.run, `${at}.precheck.run`, vars),
        ...checkExpectation(step.precheck.expect, `${at}.precheck.expect`),
        ...checkTemplate(step.verify.run, `${at}.verify.run`, vars),
        ...checkExpectation(step.verify.expect, `${at}.verify.expect`),
      ];
  }
}

/** Problems of one command template against the playbook's declared variables. */
export function checkTemplate(
  template: string,
  path: string,
  vars: Record<string, VariableSpec>,
): ValidationIssue[] {
  const { parsed, syntax } = readTemplate(template);
  const issues = parsed.problems.map((message) => ({ path, message }));
  for (const message of arithmeticOnText(syntax, vars)) issues.push({ path, message });
  for (const { name, filter } of templateVariables(parsed)) {
    const spec = vars[name];
    if (!spec) {
      const known = Object.keys(vars);
      const hint = known.length
        ? ` (declared: ${known.join(", ")})`
        : " (the playbook declares none)";
      issues.push({ path, message: `unknown variable "${name}"${hint}` });
    } else if (filter && spec.type !== "url") {
      issues.push({
        path,
        message: `filter "${filter}" applies to url variables; "${name}" is a ${spec.type}`,
      });
    }
  }
  return issues;
}

/** Types whose values are plain digits, which arithmetic can only read as a number. */
const NUMERIC_TYPES: ReadonlySet<VariableSpec["type"]> = new Set(["integer", "port"]);

/**
 * A shell variable holding a placeholder's value and read in `$((…))`: bash evaluates a variable
 * in arithmetic as an expression itself, so `x='a[$(id)]'; echo $((x))` runs `id`. Only values
 * that are digits by type may go there.
 */
function arithmeticOnText(syntax: ShellSyntax, vars: Record<string, VariableSpec>): string[] {
  const read = new Set(syntax.arithmeticNames);
  return syntax.assignments.flatMap(({ name, variables }) => {
    if (!read.has(name)) return [];
    const text = variables.filter((variable) => {
      const type = vars[variable]?.type;
      return type !== undefined && !NUMERIC_TYPES.has(type);
    });
    return text.map(
      (variable) =>
        `shell variable "${name}" holds {{ ${variable} }} (a ${vars[variable]?.type ?? "value"}) and is read in arithmetic $((…)), which evaluates it as an expression: only integer and port variables may be`,
    );
  });
}

function checkExpectation(expect: Expectation, at: string): ValidationIssue[] {
  const patterns: [string, string | undefined][] = [
    ["matches", expect.matches],
    ["notMatches", expect.notMatches],
    ["threshold.capture", expect.threshold?.capture],
  ];
  return patterns.flatMap(([field, source]) =>
    source !== undefined && !safeRegExp(source, "m")
      ? [{ path: `${at}.${field}`, message: "not a valid regular expression" }]
      : [],
  );
}

/**
 * Problems of an inventory's host vars for one playbook: a value the playbook declares must fit
 * its type, and a required variable without default must be given by every host.
 */
export function checkInventoryVars(
  hosts: Record<string, { vars: Record<string, string | number> }>,
  playbook: Playbook,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [host, { vars }] of Object.entries(hosts)) {
    for (const [name, spec] of Object.entries(playbook.vars)) {
      const value = vars[name];
      if (value === undefined) {
        if (spec.required && spec.default === undefined) {
          const message = `playbook "${playbook.id}" needs "${name}" (${spec.type}, no default)`;
          issues.push({ path: `hosts.${host}.vars`, message });
        }
        continue;
      }
      const problem = checkVariableValue(spec, value);
      if (problem) {
        const message = `not a valid ${spec.type} for playbook "${playbook.id}": ${problem}`;
        issues.push({ path: `hosts.${host}.vars.${name}`, message });
      }
    }
  }
  return issues;
}
