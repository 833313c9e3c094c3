import { join } from "node:path";
import { run } from "../../src/cli/run";
import type { CliIo } from "../../src/cli/io";
import { PlaybookRunReport, type HostReport } from "../../src/domain/step-result";
import type { Lab } from "../lab/lab";

const PLAYBOOKS = join(__dirname, "../../playbooks");

export interface RunOutcome {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * `incident-bot run PLAYBOOK … --json` in-process, the way bin/incident-bot.js calls it, over the
 * lab's inventory and the shipped playbooks. The cache of validated files is off: a test leaves
 * nothing in the home directory of whoever runs it.
 */
export async function runOnLab(lab: Lab, playbook: string, ...args: string[]): Promise<RunOutcome> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, INCIDENT_BOT_CACHE: "off" },
  };
  const argv = [playbook, ...args, "--json", "--playbooks", PLAYBOOKS];
  const status = await run([...argv, "--inventory", lab.inventoryPath], io);
  return { status, stdout, stderr };
}

/** The run's report; a run that did not exit 0 throws with what it said. */
export async function reportOnLab(
  lab: Lab,
  playbook: string,
  ...args: string[]
): Promise<PlaybookRunReport> {
  const { status, stdout, stderr } = await runOnLab(lab, playbook, ...args);
  if (status !== 0) throw new Error(`run exited ${status}: ${stderr}\n${stdout.slice(0, 2000)}`);
  return PlaybookRunReport.parse(JSON.parse(stdout));
}

export function hostReport(report: PlaybookRunReport | undefined, host: string): HostReport {
  const found = report?.hosts.find((h) => h.host === host);
  if (!found) throw new Error(`no report for ${host}`);
  return found;
}
