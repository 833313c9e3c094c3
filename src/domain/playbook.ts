import { z } from "zod";
import { DEFAULT_PROXY_KIND, ParserName, ProxyKindName } from "./proxies/registry";
import { Cause } from "./cause";
import { Phase } from "./phase";
import { ServiceManager } from "./service-manager";

/**
 * The playbook format (playbooks/*.yaml). What to run lives here as data; how it runs (SSH, queue)
 * lives in adapters. Every value that reaches a shell comes from a declared, typed variable and is
 * quoted by the template renderer (domain/template.ts), never pasted.
 */

/** Playbook and step ids: lower-case letters, digits and dashes (a playbook's is its file name). */
export const PLAYBOOK_ID = /^[a-z][a-z0-9-]{0,62}$/;

const slug = z
  .string()
  .regex(PLAYBOOK_ID, "use lower-case letters, digits and dashes, starting with a letter");

/** "500ms", "20s", "5m", "1h". */
export const Duration = z
  .string()
  .regex(/^[0-9]+(ms|s|m|h)$/, 'a duration such as "500ms", "20s", "5m" or "1h"');

export const VariableType = z.enum([
  "string",
  "word",
  "path",
  "url",
  "hostname",
  "port",
  "integer",
]);
export type VariableType = z.infer<typeof VariableType>;

export const VariableSpec = z
  .object({
    type: VariableType,
    description: z.string().optional(),
    default: z.union([z.string(), z.number()]).optional(),
    /** Must a host (inventory vars) or the caller give a value when there is no default? */
    required: z.boolean().default(true),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    /** Extra constraint on string-like values (anchored by the validator). */
    pattern: z.string().optional(),
  })
  .strict();
export type VariableSpec = z.infer<typeof VariableSpec>;

/** A shell command template: `tail -n {{ lines }} {{ error_log }}`; see domain/template.ts. */
export const CommandTemplate = z.string().min(1).max(4000);

export const Expectation = z
  .object({
    /** Allowed exit codes (default [0]). */
    exitCode: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
    /** A regular expression the output must match. */
    matches: z.string().optional(),
    /** A regular expression the output must not match. */
    notMatches: z.string().optional(),
    /** The first number in the output (or the first capture of `capture`) compared with bounds. */
    threshold: z
      .object({
        capture: z.string().optional(),
        max: z.number().optional(),
        min: z.number().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Expectation = z.infer<typeof Expectation>;

/**
 * `triage: true` on a diagnostic or check step: one of the few steps that decide the cause. They
 * run first, and their diagnosis is written and posted before the deeper steps finish.
 */
const stepCommon = {
  id: slug,
  title: z.string().min(1).max(150),
  description: z.string().optional(),
  /** Ends the command on the host when it runs out (default 30s). */
  timeout: Duration.optional(),
};

const Triage = z
  .boolean()
  .optional()
  .describe(
    "One of the few steps that decide the cause: runs first, its diagnosis is posted at once",
  );

export const DiagnosticStep = z
  .object({
    ...stepCommon,
    kind: z.literal("diagnostic"),
    run: CommandTemplate,
    parse: ParserName.optional(),
    triage: Triage,
  })
  .strict();

export const CheckStep = z
  .object({
    ...stepCommon,
    kind: z.literal("check"),
    run: CommandTemplate,
    expect: Expectation,
    parse: ParserName.optional(),
    triage: Triage,
  })
  .strict();

export const GuardedCommand = z
  .object({ run: CommandTemplate, expect: Expectation.default({}), timeout: Duration.optional() })
  .strict();

export const RemediationStep = z
  .object({
    ...stepCommon,
    kind: z.literal("remediation"),
    run: CommandTemplate,
    /** Must pass on the host before the action runs (configtest before any reload). */
    precheck: GuardedCommand,
    /** Must pass after the action; tried `attempts` times, `interval` apart. */
    verify: GuardedCommand.extend({
      attempts: z.number().int().min(1).max(30).default(3),
      interval: Duration.default("2s"),
    }).strict(),
    /** How long a request for approval stays open (default 10m). */
    approvalExpiresAfter: Duration.optional(),
    /**
     * The causes this remediation can help with: it is offered only on hosts diagnosed with one of
     * them (absent: on every host that is not healthy).
     */
    offerFor: z
      .array(Cause.exclude(["healthy"], { message: "a healthy host needs no remediation" }))
      .min(1)
      .optional(),
  })
  .strict();

export const ManualStep = z.object({ ...stepCommon, kind: z.literal("manual") }).strict();

export type DiagnosticStep = z.infer<typeof DiagnosticStep>;
export type CheckStep = z.infer<typeof CheckStep>;
export type GuardedCommand = z.infer<typeof GuardedCommand>;
export type RemediationStep = z.infer<typeof RemediationStep>;
export type ManualStep = z.infer<typeof ManualStep>;

export const Step = z.discriminatedUnion("kind", [
  DiagnosticStep,
  CheckStep,
  RemediationStep,
  ManualStep,
]);
export type Step = z.infer<typeof Step>;
export type StepKind = Step["kind"];

export const Playbook = z
  .object({
    id: slug,
    title: z.string().min(1),
    description: z.string().min(1),
    /** The proxy kind the playbook is for (absent: apache); it runs on hosts of that kind only. */
    proxy: ProxyKindName.optional(),
    /**
     * A playbook for an upstream's service hosts instead of proxy hosts: the service manager it
     * speaks (inventory `services:`); the run gets the service's unit, container or pods as vars.
     */
    service: ServiceManager.optional(),
    vars: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), VariableSpec).default({}),
    phases: z.partialRecord(Phase, z.array(Step).min(1)),
  })
  .strict()
  .refine((p) => !(p.proxy && p.service), {
    path: ["service"],
    message: "a playbook is for proxy hosts (proxy:) or for service hosts (service:), not both",
  });
export type Playbook = z.infer<typeof Playbook>;

/** The proxy kind a playbook is for. */
export function playbookKind(playbook: Pick<Playbook, "proxy">): ProxyKindName {
  return playbook.proxy ?? DEFAULT_PROXY_KIND;
}

/**
 * Why a playbook cannot run on these hosts: some are of another proxy kind. Null when all fit.
 * The message names each misfit with its kind, so the responder knows which playbook to use.
 */
export function kindMismatch(
  playbook: Pick<Playbook, "id" | "proxy" | "service">,
  hosts: readonly { name: string; kind: ProxyKindName }[],
): string | null {
  // A service playbook runs on an upstream's hosts, whatever proxy (if any) they also run.
  if (playbook.service) return null;
  const kind = playbookKind(playbook);
  const others = hosts.filter((host) => host.kind !== kind);
  if (others.length === 0) return null;
  const named = others.map((host) => `${host.name} (${host.kind})`).join(", ");
  return `${playbook.id} is for ${kind} hosts; ${named} ${others.length > 1 ? "are" : "is"} not`;
}
