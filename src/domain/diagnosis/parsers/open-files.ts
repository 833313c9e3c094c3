import { Signal, signal } from "../signal";

/**
 * Open file descriptors of the Apache processes against their limit. Expected command:
 *
 *   for p in $(pgrep -x apache2); do echo "pid=$p fds=$(ls /proc/$p/fd | wc -l)
 *     limit=$(awk '/^Max open files/ {print $4}' /proc/$p/limits)"; done
 *
 * one `pid=123 fds=57 limit=8192` line per process.
 */
export interface OpenFilesReport {
  processes: { pid: number; fds: number; limit: number | null }[];
}

export function parseOpenFiles(output: string): OpenFilesReport {
  const processes = [...output.matchAll(/pid=(\d+) fds=(\d+)(?: limit=(\d+|unlimited))?/g)].map(
    (m) => ({
      pid: Number(m[1]),
      fds: Number(m[2]),
      limit: m[3] === undefined || m[3] === "unlimited" ? null : Number(m[3]),
    }),
  );
  return { processes };
}

/** A process above 90% of its descriptor limit will soon fail accept() and backend connects. */
export function openFilesSignals(report: OpenFilesReport, stepId: string): Signal[] {
  return report.processes
    .filter((p) => p.limit !== null && p.limit > 0 && p.fds / p.limit >= 0.9)
    .slice(0, 2)
    .map((p) =>
      signal(
        "proxy_exhausted",
        0.7,
        `pressure:${stepId}`,
        `pid=${p.pid} fds=${p.fds} limit=${p.limit ?? "?"}`,
      ),
    );
}
