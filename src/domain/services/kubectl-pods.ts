import { firstLine, ServiceState } from "./service-state";

/**
 * `kubectl get pods -n NS -l SELECTOR -o wide --no-headers`: one line per pod, `NAME READY STATUS
 * RESTARTS AGE IP NODE …` (RESTARTS may read "3 (2m ago)", so only the first three columns are
 * read). The service runs when a pod is Running with all its containers ready; CrashLoopBackOff,
 * Error, Pending, ImagePullBackOff and no pod at all ("No resources found in NS namespace.") mean
 * nothing serves. When kubectl reaches no API server it prints "The connection to the server
 * HOST was refused - did you specify the right host or port?" (exit 1): nothing is known.
 */
const NO_CLUSTER =
  /^The connection to the server .*$|^Unable to connect to the server.*$|^error: .*(?:config|context).*$/m;
const NO_PODS = /^No resources found.*$/m;

function allReady(ready: string | undefined): boolean {
  const [up, all] = (ready ?? "").split("/").map(Number);
  return up !== undefined && all !== undefined && all > 0 && up === all;
}

export function parseKubectlPods(output: string, exitCode: number | null): ServiceState {
  const unreachable = NO_CLUSTER.exec(output);
  if (unreachable) return { verdict: "cannot-tell", line: unreachable[0].trim() };
  const none = NO_PODS.exec(output);
  if (none) return { verdict: "down", line: none[0].trim() };
  if (exitCode !== 0) return { verdict: "cannot-tell", line: firstLine(output) };
  const pods = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => ({ line, columns: line.split(/\s+/) }));
  if (pods.length === 0) return { verdict: "down", line: "no pod matches the selector" };
  const serving = pods.find((p) => p.columns[2] === "Running" && allReady(p.columns[1]));
  if (serving) return { verdict: "running", line: serving.line };
  return { verdict: "down", line: pods[0]?.line ?? null };
}
