import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time a process has had so far, in milliseconds, summed over its threads: the first field
 * of /proc/<pid>/task/<tid>/schedstat is nanoseconds on a CPU, exact where /proc/<pid>/stat
 * counts 10 ms ticks (too coarse for a 50 ms burst). 0 for a process that is gone.
 */
export function processCpuMs(pid: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let ns = 0;
  for (const task of tasks) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "latin1").split(" ")[0]);
    } catch {
      // A thread that ended between the listing and the read had its time added to the process.
    }
  }
  return ns / 1e6;
}
