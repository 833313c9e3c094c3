import { Signal, signal } from "../../diagnosis/signal";

/**
 * mod_status in machine-readable form. Expected command:
 *
 *   curl -sS --max-time N STATUS_URL'?auto'
 *
 * `BusyWorkers: 4` and `IdleWorkers: 0` lines (plus `Scoreboard: WWWW…`). When every worker is busy
 * the request for the status page itself may time out (curl exit 28).
 */
export interface ServerStatus {
  busyWorkers: number | null;
  idleWorkers: number | null;
  timedOut: boolean;
}

function field(output: string, name: string): number | null {
  const match = new RegExp(`^${name}: (\\d+)`, "m").exec(output);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export function parseServerStatus(output: string, exitCode: number | null): ServerStatus {
  return {
    busyWorkers: field(output, "BusyWorkers"),
    idleWorkers: field(output, "IdleWorkers"),
    timedOut: exitCode === 28,
  };
}

export function serverStatusSignals(status: ServerStatus, stepId: string): Signal[] {
  const source = `pressure:${stepId}`;
  if (status.idleWorkers === 0 && (status.busyWorkers ?? 0) > 0) {
    const line = `BusyWorkers: ${status.busyWorkers} IdleWorkers: 0`;
    return [signal("proxy_exhausted", 0.6, source, line)];
  }
  if (status.timedOut) {
    return [signal("proxy_exhausted", 0.3, source, "server-status did not answer in time")];
  }
  return [];
}
