import { terminalText } from "../adapters/shell/plain-text";
import { formatDuration } from "../domain/duration";
import type { StepKind } from "../domain/playbook";
import type { HostReport, PlaybookRunReport, StepResult } from "../domain/step-result";
import type { HostTarget } from "../ports/remote-executor";

/** How much of each step's output the human view shows (the JSON has it all, capped). */
const OUTPUT_LINES = 4;

export function renderReport(report: PlaybookRunReport): string {
  const lines = [`${report.playbook} · ${report.phase} · ${report.hosts.length} host(s)`, ""];
  for (const host of report.hosts) lines.push(...renderHost(host), "");
  const d = report.diagnosis;
  lines.push(`Diagnosis: ${d.cause}${d.hosts.length ? ` on ${d.hosts.join(", ")}` : ""}`);
  lines.push(`  ${d.summary}`, `  Next: ${d.recommendation}`);
  for (const other of d.others ?? [])
    lines.push(`  Also: ${other.cause} on ${other.hosts.join(", ")}`);
  // Host output and log lines are the hosts' text: shown, never obeyed by the terminal.
  return terminalText(lines.join("\n"));
}

function renderHost(host: HostReport): string[] {
  const idWidth = Math.max(4, ...host.steps.map((step) => step.id.length));
  const header = `  ${"STATUS".padEnd(17)} ${"STEP".padEnd(idWidth)} ${"EXIT".padEnd(4)} TIME`;
  const lines = [host.host, header];
  for (const step of host.steps) lines.push(...renderStep(step, idWidth));
  for (const finding of host.findings) {
    const evidence = finding.evidence[0] ? `: ${finding.evidence[0]}` : "";
    lines.push(`  finding: ${finding.cause} (${finding.confidence.toFixed(2)})${evidence}`);
  }
  return lines;
}

function renderStep(step: StepResult, idWidth: number): string[] {
  const exit = step.exitCode === null ? "-" : String(step.exitCode);
  const row = `  ${step.status.padEnd(17)} ${step.id.padEnd(idWidth)} ${exit.padEnd(4)} ${formatDuration(step.durationMs)}`;
  const lines = [step.reason ? `${row}  ${step.reason}` : row];
  const output = step.output.trimEnd().split("\n").filter(Boolean);
  const shown = step.status === "awaiting-approval" ? output : output.slice(-OUTPUT_LINES);
  for (const line of shown) lines.push(`      │ ${line}`);
  if (shown.length < output.length)
    lines.push(`      │ (${output.length - shown.length} earlier lines in --json)`);
  return lines;
}

interface Plan {
  playbook: string;
  phase: string;
  hosts: {
    host: string;
    target: HostTarget;
    steps: { stepId: string; kind: StepKind; commands: string[] }[];
  }[];
}

const remediationLabels = ["precheck", "run", "verify"];

export function renderPlan(plan: Plan): string {
  const lines = [`${plan.playbook} · ${plan.phase} · dry run: nothing is executed`, ""];
  for (const host of plan.hosts) {
    const t = host.target;
    lines.push(`${host.host} (${t.user}@${t.address}:${t.port})`);
    for (const step of host.steps) {
      if (step.kind === "manual") {
        lines.push(`  ${step.stepId} [manual: a responder ticks it, nothing runs]`);
      } else if (step.kind === "remediation") {
        lines.push(`  ${step.stepId} [remediation: runs only after approval]`);
        step.commands.forEach((command, i) =>
          lines.push(`    ${(remediationLabels[i] ?? "").padEnd(8)} $ ${command}`),
        );
      } else {
        lines.push(
          `  ${step.stepId} [${step.kind}]`,
          ...step.commands.map((command) => `    $ ${command}`),
        );
      }
    }
    lines.push("");
  }
  return terminalText(lines.join("\n").trimEnd());
}
