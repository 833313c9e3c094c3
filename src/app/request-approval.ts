import {
  Approval,
  approvalIdFor,
  DEFAULT_APPROVAL_EXPIRY_MS,
  durationMs,
  remediationDigestText,
  type HostRemediationPlan,
} from "../domain/approval";
import { BOT, person } from "../domain/incident";
import type { HostReport } from "../domain/step-result";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { runHosts } from "./run-hosts";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

export interface RequestApprovalInput {
  runId: string;
  stepId: string;
  /** A person's id, or "bot". */
  requestedBy: string;
  /** Host names to remediate (default: every host of the run). */
  hosts?: string[];
  /** The run's host reports: a step there that ran the precheck's command gives its last result. */
  reports?: HostReport[];
}

/**
 * Asks for approval to run one remediation step on the run's hosts. The approval id comes from the
 * run and step, so asking twice yields the same request. Expiry (`approvalExpiresAfter`, default
 * 10m) is in incident-clock time, so a shrunken PHASE_MINUTE_MS shrinks it too.
 */
export async function requestApproval(
  deps: LifecycleDeps,
  input: RequestApprovalInput,
): Promise<UseCaseResult<Approval>> {
  const run = await deps.runs.getRun(input.runId);
  if (!run) return fail("not-found", `No run ${input.runId}.`);
  const playbook = await deps.runner.getPlaybook(run.playbook);
  const step = playbook?.phases[run.phase]?.find((s) => s.id === input.stepId);
  if (!playbook || !step || step.kind !== "remediation") {
    return fail("invalid-input", `${input.stepId} is not a remediation step of ${run.playbook}.`);
  }
  const now = deps.clock.now();
  const scale = deps.settings.phaseMinuteMs / 60_000;
  const ttl = step.approvalExpiresAfter
    ? durationMs(step.approvalExpiresAfter)
    : DEFAULT_APPROVAL_EXPIRY_MS;
  // Resolved names, not groups: the remediation job runs once per host name.
  const hosts = await runHosts(deps, run, input.hosts ?? run.hosts);
  const commands = new Set<string>();
  const prechecks = new Set<string>();
  const precheckResults: string[] = [];
  const perHost: HostRemediationPlan[] = [];
  for (const host of hosts) {
    const plan = deps.runner.planCommands(playbook, run.phase, host);
    // A remediation's plan is [precheck, action, verification].
    const [precheck, action, verify] = plan.find((p) => p.stepId === step.id)?.commands ?? [];
    if (precheck === undefined || action === undefined || verify === undefined) {
      return fail("invalid-input", `${step.id} cannot be rendered for ${host.name}.`);
    }
    const rendered = { host: host.name, precheck, action, verify };
    perHost.push({ ...rendered, digest: deps.digest(remediationDigestText(rendered)) });
    commands.add(action);
    prechecks.add(precheck);
    const seen = lastResultOf(precheck, plan, input.reports, host.name);
    if (seen) precheckResults.push(seen);
  }
  const incident = await deps.incidents.get(run.incidentId);
  const approval = Approval.parse({
    id: approvalIdFor(run.runId, step.id),
    incidentId: run.incidentId,
    runId: run.runId,
    playbook: run.playbook,
    stepId: step.id,
    title: step.title,
    hosts: hosts.map((h) => h.name),
    commands: [...commands],
    plan: perHost,
    step,
    precheck: [...prechecks, ...precheckResults].join("\n") || null,
    requestedBy: input.requestedBy,
    // A request the bot made counts as the declarer's: they may not approve it alone either.
    requester: input.requestedBy === "bot" ? (incident?.declaredBy ?? "bot") : input.requestedBy,
    required: deps.settings.approvalsRequired,
    requestedAt: now,
    expiresAt: now + Math.round(ttl * scale),
  });
  await deps.approvals.create(approval);
  const stored = (await deps.approvals.get(approval.id))?.approval ?? approval;
  await recordEvent(deps, run.incidentId, {
    type: "approval-requested",
    key: `approval-requested:${stored.id}`,
    at: stored.requestedAt,
    actor: stored.requestedBy === "bot" ? BOT : person(stored.requestedBy),
    summary: `Approval requested: ${stored.title} on ${stored.hosts.join(", ")}`,
    details: {
      approvalId: stored.id,
      runId: stored.runId,
      stepId: stored.stepId,
      title: stored.title,
      hosts: stored.hosts,
      commands: stored.commands,
      requestedBy: stored.requestedBy,
      expiresAt: stored.expiresAt,
      ...(stored.precheck ? { precheck: stored.precheck } : {}),
    },
  });
  await deps.queue.schedule({
    kind: "approval-expiry",
    incidentId: stored.incidentId,
    approvalId: stored.id,
    dueAt: stored.expiresAt,
  });
  return succeed(stored);
}

/** "proxy-2: configtest ok (Syntax OK)" when the run already ran the precheck's exact command. */
function lastResultOf(
  precheck: string,
  plan: { stepId: string; commands: string[] }[],
  reports: HostReport[] | undefined,
  host: string,
): string | null {
  const same = plan.find((p) => p.commands.length === 1 && p.commands[0] === precheck);
  const result = reports?.find((r) => r.host === host)?.steps.find((s) => s.id === same?.stepId);
  if (!same || !result) return null;
  const lastLine = result.output.trim().split("\n").pop() ?? "";
  return `${host}: last ${same.stepId} ${result.status}${lastLine ? ` (${lastLine.slice(0, 120)})` : ""}`;
}
