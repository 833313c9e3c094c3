import { HostSelectionError } from "../domain/inventory";
import type { Incident } from "../domain/incident";
import { IncidentRun } from "../domain/incident-run";
import type { Phase } from "../domain/phase";
import { kindMismatch, playbookKind, type Playbook } from "../domain/playbook";
import { DEFAULT_PROXY_KIND, proxyKind, type ProxyKindName } from "../domain/proxies/registry";
import { servicePlaybookId } from "../domain/service-manager";
import type { PlannedStep } from "../domain/timeline";
import { BOT, person } from "../domain/incident";
import type { RunnerHost } from "../ports/playbook-runner";
import type { LifecycleDeps } from "./lifecycle-deps";
import { recordEvent } from "./record-event";
import { fail, succeed, type UseCaseResult } from "./use-case-result";

/**
 * What to do with hosts whose proxy kind is not the named playbook's: `refuse` when a person named
 * them with it, `skip` when they only came with the incident, `own-playbook` when the bot starts a
 * phase (each host runs its own kind's playbook).
 */
export type OtherKinds = "refuse" | "skip" | "own-playbook";

export interface StartRunInput {
  incident: Incident;
  /** The run id; a mixed fleet's runs are this id with `-KIND` appended, one per kind. */
  runId: string;
  /** The playbook asked for; null: each host's kind's playbook. */
  playbook: string | null;
  otherKinds: OtherKinds;
  phase: Phase;
  /** Host and group names; resolved against the inventory here. */
  hostNames: readonly string[];
  /** A person's id, or "bot" for runs the phase clock starts. */
  requestedBy: string;
}

export interface StartedRuns {
  /** The first run's id (the only one for a fleet of one kind). */
  runId: string;
  hosts: string[];
  runs: { runId: string; playbook: string; hosts: string[] }[];
  /** The incident's hosts a named playbook does not fit (another kind), so not run on. */
  leftOut: { name: string; kind: ProxyKindName }[];
}

interface RunPart {
  /** What the part's run id ends with in a group: the proxy kind, or `svc-NAME`. */
  suffix: string;
  playbook: Playbook;
  hosts: string[];
  /** The upstream service whose hosts this part checks (inventory `services:`). */
  service?: string;
}

/**
 * Creates the phase's runs, one per proxy kind among the hosts (once: ids are deterministic for
 * clock-started runs), writes playbook-started for each with its planned steps, and enqueues one
 * job per host. The runs started together know each other (`siblings`), so the diagnosis waits for
 * all of them and spans every kind. Safe to call again with the same run id: runs, events and
 * jobs are all deduplicated.
 */
export async function startRun(
  deps: LifecycleDeps,
  input: StartRunInput,
): Promise<UseCaseResult<StartedRuns>> {
  const named = input.playbook === null ? null : await deps.runner.getPlaybook(input.playbook);
  if (input.playbook !== null && !named) {
    return fail("unknown-playbook", `No playbook named ${input.playbook}.`);
  }
  if (named?.service) {
    // Its variables come from the service a proxy names; a run by name would have none.
    return fail(
      "invalid-input",
      `${named.id} checks an upstream service: it runs with the proxies whose inventory entry names that service (upstreamService:), or by hand with incident-bot run ${named.id}.`,
    );
  }
  const resolved = await resolve(deps, input.hostNames);
  if (!resolved.ok) return resolved;
  const planned = await planParts(deps, input, named, resolved.value);
  if (!planned.ok) return planned;
  const running = new Set(planned.value.flatMap((p) => p.hosts));
  const proxies = resolved.value.filter((h) => running.has(h.name));
  const parts = [...planned.value, ...(await serviceParts(deps, input, proxies))];
  const runIds = parts.map((p) => (parts.length > 1 ? `${input.runId}-${p.suffix}` : input.runId));
  const runs: StartedRuns["runs"] = [];
  for (const [i, part] of parts.entries()) {
    const runId = runIds[i] ?? input.runId;
    const siblings = parts.length > 1 ? runIds : undefined;
    runs.push(await startPart(deps, input, part, runId, siblings));
  }
  const first = runs[0];
  if (!first) return fail("invalid-input", `Nothing to run in the ${input.phase} phase.`);
  const all = new Set(runs.flatMap((r) => r.hosts));
  const leftOut = resolved.value
    .filter((h) => !all.has(h.name))
    .map((h) => ({ name: h.name, kind: h.kind }));
  return succeed({ runId: first.runId, hosts: [...all], runs, leftOut });
}

async function resolve(
  deps: LifecycleDeps,
  names: readonly string[],
): Promise<UseCaseResult<RunnerHost[]>> {
  try {
    return succeed(await deps.runner.resolveHosts(names));
  } catch (error) {
    // Chat is told which names matched nothing, never the whole inventory.
    if (error instanceof HostSelectionError && error.unknown.length > 0) {
      const list = error.unknown.map((u) => `"${u}"`).join(", ");
      return fail("unknown-host", `Unknown host or group ${list}; nothing was started.`);
    }
    return fail("unknown-host", error instanceof Error ? error.message : String(error));
  }
}

/** The hosts by kind, kinds in order of first appearance, each with the playbook it runs. */
async function planParts(
  deps: LifecycleDeps,
  input: StartRunInput,
  named: Playbook | null,
  hosts: readonly RunnerHost[],
): Promise<UseCaseResult<RunPart[]>> {
  let chosen = hosts;
  if (named && input.otherKinds !== "own-playbook") {
    const misfit = kindMismatch(named, hosts);
    if (misfit && input.otherKinds === "refuse") {
      return fail("invalid-input", `${misfit}; nothing was started.`);
    }
    chosen = hosts.filter((h) => h.kind === playbookKind(named));
    if (chosen.length === 0 && hosts.length > 0) {
      return fail("invalid-input", `${misfit}; nothing was started.`);
    }
  }
  const parts: RunPart[] = [];
  if (chosen.length === 0) {
    // No hosts: the phase's manual items still make a checklist, from the playbook that applies.
    const kind = named ? playbookKind(named) : DEFAULT_PROXY_KIND;
    const playbook = await playbookFor(deps, kind, named);
    if (!playbook) return fail("unknown-playbook", `No playbook for ${kind} hosts.`);
    const steps = playbook.phases[input.phase] ?? [];
    if (steps.some((s) => s.kind !== "manual")) {
      return fail("invalid-input", `No hosts to run ${playbook.id} (${input.phase}) on.`);
    }
    parts.push({ suffix: kind, playbook, hosts: [] });
  }
  for (const host of chosen) {
    const part = parts.find((p) => p.suffix === host.kind);
    if (part) {
      part.hosts.push(host.name);
      continue;
    }
    const playbook = await playbookFor(deps, host.kind, named);
    if (!playbook) return fail("unknown-playbook", `No playbook for ${host.kind} hosts.`);
    parts.push({ suffix: host.kind, playbook, hosts: [host.name] });
  }
  const withSteps = parts.filter((p) => (p.playbook.phases[input.phase] ?? []).length > 0);
  if (withSteps.length === 0) {
    const ids = [...new Set(parts.map((p) => p.playbook.id))].join(", ") || input.playbook;
    return fail("no-steps", `Playbook ${ids} has no ${input.phase} steps.`);
  }
  return succeed(withSteps);
}

/**
 * "Is the upstream running" on the hosts the inventory names for the running proxies' upstream
 * services: one part per service, running its manager's playbook (playbooks/upstream-MANAGER.yaml)
 * when it has steps in this phase, in the same group as the proxies' runs.
 */
async function serviceParts(
  deps: LifecycleDeps,
  input: StartRunInput,
  hosts: readonly RunnerHost[],
): Promise<RunPart[]> {
  const names = [...new Set(hosts.flatMap((h) => (h.upstreamService ? [h.upstreamService] : [])))];
  const parts: RunPart[] = [];
  for (const name of names) {
    const service = (await deps.runner.getService?.(name)) ?? null;
    if (!service) continue;
    const playbook = await deps.runner.getPlaybook(servicePlaybookId(service.manager));
    if (!playbook || (playbook.phases[input.phase] ?? []).length === 0) continue;
    const suffix = `svc-${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
    parts.push({ suffix, playbook, hosts: [...service.hosts], service: name });
  }
  return parts;
}

/** The named playbook for its own kind's hosts; every other kind runs its default playbook. */
async function playbookFor(
  deps: LifecycleDeps,
  kind: ProxyKindName,
  named: Playbook | null,
): Promise<Playbook | null> {
  if (named && playbookKind(named) === kind) return named;
  const id = deps.settings.defaultPlaybooks[kind] ?? proxyKind(kind).defaultPlaybook;
  return deps.runner.getPlaybook(id);
}

async function startPart(
  deps: LifecycleDeps,
  input: StartRunInput,
  part: RunPart,
  runId: string,
  siblings: string[] | undefined,
): Promise<StartedRuns["runs"][number]> {
  const steps = part.playbook.phases[input.phase] ?? [];
  const run = IncidentRun.parse({
    runId,
    incidentId: input.incident.id,
    playbook: part.playbook.id,
    phase: input.phase,
    hosts: part.hosts,
    startedAt: deps.clock.now(),
    requestedBy: input.requestedBy,
    ...(siblings ? { siblings } : {}),
    ...(part.service ? { service: part.service } : {}),
  });
  await deps.runs.createRun(run);
  const stored = (await deps.runs.getRun(run.runId)) ?? run;
  const planned: PlannedStep[] = steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind }));
  await recordEvent(deps, input.incident.id, {
    type: "playbook-started",
    key: `playbook-started:${stored.runId}`,
    at: stored.startedAt,
    actor: input.requestedBy === "bot" ? BOT : person(input.requestedBy),
    summary: `Playbook ${part.playbook.id} (${input.phase}) started on ${stored.hosts.join(", ") || "no hosts"}`,
    details: {
      runId: stored.runId,
      playbook: part.playbook.id,
      phase: input.phase,
      hosts: stored.hosts,
      steps: planned,
    },
  });
  if (steps.some((s) => s.kind !== "manual")) {
    for (const host of stored.hosts) {
      await deps.queue.enqueueHostRun({ incidentId: input.incident.id, runId: stored.runId, host });
    }
  }
  return { runId: stored.runId, playbook: part.playbook.id, hosts: stored.hosts };
}
