import type { Phase } from "./phase";
import type { StepStatus } from "./step-result";
import type { PlannedStep, TimelineEvent } from "./timeline";

/**
 * Where the incident's checklist stands, from the timeline alone: each planned step of a phase with
 * its state per host. The incident card, status updates and the postmortem all read this.
 */
export type ItemState = StepStatus | "pending" | "running" | "ticked";

export interface ProgressItem {
  stepId: string;
  title: string;
  kind: PlannedStep["kind"];
  phase: Phase;
  /** Per host for steps that run; a single entry keyed "*" for manual items. */
  states: Record<string, ItemState>;
}

export function incidentProgress(events: readonly TimelineEvent[], phase?: Phase): ProgressItem[] {
  const items = new Map<string, ProgressItem>();
  const runPhase = new Map<string, Phase>();
  for (const e of events) {
    if (e.type === "playbook-started") {
      runPhase.set(e.details.runId, e.details.phase);
      for (const step of e.details.steps ?? []) {
        const key = `${e.details.phase}/${step.id}`;
        const existing = items.get(key);
        const states: Record<string, ItemState> = existing?.states ?? {};
        if (step.kind === "manual") states["*"] ??= "pending";
        else for (const host of e.details.hosts) states[host] ??= "pending";
        items.set(key, { ...step, stepId: step.id, phase: e.details.phase, states });
      }
    }
    applyEvent(items, runPhase, e);
  }
  const all = [...items.values()];
  return phase ? all.filter((i) => i.phase === phase) : all;
}

function applyEvent(
  items: Map<string, ProgressItem>,
  runPhase: Map<string, Phase>,
  e: TimelineEvent,
): void {
  const item = (runId: string, stepId: string): ProgressItem | undefined =>
    items.get(`${runPhase.get(runId) ?? ""}/${stepId}`);
  if (e.type === "step-started") {
    const it = item(e.details.runId, e.details.stepId);
    if (it && it.states[e.details.host] === "pending") it.states[e.details.host] = "running";
  } else if (e.type === "step-finished") {
    const it = item(e.details.runId, e.details.stepId);
    if (it) it.states[e.details.host] = e.details.status;
  } else if (e.type === "manual-item-ticked") {
    for (const it of items.values()) if (it.stepId === e.details.stepId) it.states["*"] = "ticked";
  } else if (e.type === "remediation-finished") {
    for (const it of items.values()) {
      if (it.stepId === e.details.stepId && it.kind === "remediation") {
        it.states[e.details.host] = e.details.action;
      }
    }
  }
}

const FINISHED: readonly ItemState[] = ["ok", "failed", "error", "skipped", "ticked"];

/**
 * The most alarming state first: a step's mark across hosts is the worst of its hosts' states, so
 * the eye lands on trouble. The card in Slack and the shell's card both use it.
 */
const ALARM_ORDER: readonly ItemState[] = [
  "error",
  "failed",
  "awaiting-approval",
  "running",
  "pending",
  "skipped",
  "ok",
  "ticked",
];

export function worstState(states: readonly ItemState[]): ItemState {
  return ALARM_ORDER.find((candidate) => states.includes(candidate)) ?? "pending";
}

/** A manual item has one state for the whole incident, keyed "*", rather than one per host. */
export function soleState(states: Record<string, ItemState>): ItemState | null {
  const entries = Object.entries(states);
  return entries.length === 1 && entries[0]?.[0] === "*" ? (entries[0]?.[1] ?? null) : null;
}

export function isItemDone(item: ProgressItem): boolean {
  return Object.values(item.states).every((s) => FINISHED.includes(s));
}

/** "3 done, 2 open" lines for a status update. */
export function progressSummary(items: readonly ProgressItem[]): {
  done: string[];
  open: string[];
} {
  const done: string[] = [];
  const open: string[] = [];
  for (const it of items) (isItemDone(it) ? done : open).push(it.title);
  return { done, open };
}
