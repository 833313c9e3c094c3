import { firstLine, ServiceState } from "./service-state";

/**
 * `docker ps --all --filter name=^/NAME$ --format '{{.Names}} {{.State}} {{.Status}}'`: one line
 * per container of that exact name, `NAME STATE STATUS…`, where STATE is one of Docker's container
 * states (created, running, paused, restarting, removing, exited, dead). No line at all (exit 0):
 * no such container, so nothing can serve. A client that cannot reach its daemon prints "Cannot
 * connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
 * (exit 1): nothing is known.
 */
const NO_DAEMON =
  /^Cannot connect to the Docker daemon.*$|^permission denied while trying to connect to the Docker daemon.*$/m;

export function parseDockerPs(output: string, exitCode: number | null): ServiceState {
  const unreachable = NO_DAEMON.exec(output);
  if (unreachable) return { verdict: "cannot-tell", line: unreachable[0].trim() };
  if (exitCode !== 0) return { verdict: "cannot-tell", line: firstLine(output) };
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return { verdict: "down", line: "no container of that name" };
  const running = lines.find((l) => l.split(/\s+/)[1] === "running");
  if (running) return { verdict: "running", line: running };
  return { verdict: "down", line: lines[0] ?? null };
}
