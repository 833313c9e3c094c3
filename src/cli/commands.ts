import type { Subcommand } from "./io";

/**
 * The incident-bot subcommands: one file each under src/cli/, registered here. Each is loaded
 * only when chosen, so `run` does not pay for loading Slack, BullMQ and Redis clients at start-up
 * (that alone doubled the start-up time of a one-host run). `require`, not `import()`: this
 * package compiles to CommonJS, where `import()` would stay a real ES import at run time.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading, see above */
export interface SubcommandEntry {
  usage: string;
  summary: string;
  load(): Promise<Subcommand>;
}

export const subcommands: Record<string, SubcommandEntry> = {
  validate: {
    usage: "incident-bot validate [--playbooks DIR] [--inventory FILE]",
    summary: "check playbooks and inventory",
    load: async () => (require("./validate") as typeof import("./validate")).validate,
  },
  run: {
    usage:
      "incident-bot run PLAYBOOK --hosts H[,H…] [--phase PHASE] [--json] [--triage] [--dry-run] [--var NAME=VALUE]… [--concurrency N] [--playbooks DIR] [--inventory FILE]",
    summary: "run a playbook phase over SSH, no Slack",
    load: async () => (require("./run") as typeof import("./run")).run,
  },
  shell: {
    usage: "incident-bot shell [--user NAME] [--channel NAME]",
    summary: "a local chat in the terminal (needs Redis)",
    load: async () => (require("./shell") as typeof import("./shell")).shell,
  },
};
