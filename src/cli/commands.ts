import type { Subcommand } from "./io";
import { run, runUsage } from "./run";
import { shell, shellUsage } from "./shell";
import { validate, validateUsage } from "./validate";

/** The incident-bot subcommands: one file each under src/cli/, registered here. */
export const subcommands: Record<string, { run: Subcommand; usage: string; summary: string }> = {
  validate: { run: validate, usage: validateUsage, summary: "check playbooks and inventory" },
  run: { run, usage: runUsage, summary: "run a playbook phase over SSH, no Slack" },
  shell: { run: shell, usage: shellUsage, summary: "a local chat in the terminal (needs Redis)" },
};
