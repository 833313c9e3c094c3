import { firstLine, ServiceState } from "./service-state";

/**
 * `systemctl is-active UNIT`: one word per unit on stdout (exit 0 only when active). The words are
 * systemd's unit active states (systemctl(1)): active, reloading, inactive, failed, activating,
 * deactivating, maintenance, refreshing; a unit systemd does not know is reported `inactive`.
 * Where PID 1 is not systemd, systemctl prints "System has not been booted with systemd as init
 * system (PID 1). Can't operate." (exit 1): the state of the unit cannot be told.
 */
const RUNNING = new Set(["active", "reloading", "refreshing"]);
const DOWN = new Set(["inactive", "failed", "deactivating", "maintenance"]);

const CANNOT_OPERATE = /^System has not been booted with systemd.*$|^Failed to connect to bus.*$/m;

export function parseSystemdActive(output: string, exitCode: number | null): ServiceState {
  const refused = CANNOT_OPERATE.exec(output);
  if (refused) return { verdict: "cannot-tell", line: refused[0].trim() };
  const line = firstLine(output);
  if (line !== null && RUNNING.has(line)) return { verdict: "running", line };
  if (line !== null && DOWN.has(line)) return { verdict: "down", line };
  // "activating" (still starting) and anything else: exit status alone cannot say it serves.
  return { verdict: exitCode === 0 && line !== null ? "running" : "cannot-tell", line };
}
