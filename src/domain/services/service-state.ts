/**
 * What a service manager says about the upstream's service: it runs, it does not (stopped,
 * failed, crash-looping, missing), or the manager itself could not be asked (no systemd as PID 1,
 * no Docker daemon, no cluster), in which case nothing is known about the service.
 */
export type ServiceVerdict = "running" | "down" | "cannot-tell";

export interface ServiceState {
  verdict: ServiceVerdict;
  /** The line that decided it, as the tool printed it (null when the tool printed nothing). */
  line: string | null;
}

export const firstLine = (output: string): string | null =>
  output
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.length > 0) ?? null;
