import { EvidenceReader } from "../diagnosis/evidence";
import { signal } from "../diagnosis/signal";
import { parseDockerPs } from "./docker-ps";
import { parseKubectlPods } from "./kubectl-pods";
import { ServiceState } from "./service-state";
import { parseSystemdActive } from "./systemd-active";

/**
 * A service that does not run is an upstream nothing listens on: the proxies see it as refused.
 * The manager's own word is strong evidence (it is the service's state, not a symptom of it).
 */
function readService(
  parse: (output: string, exitCode: number | null) => ServiceState,
): EvidenceReader {
  return ({ output, exitCode, stepId }, _context, into) => {
    const state = parse(output, exitCode);
    const line = state.line ?? "(no output)";
    switch (state.verdict) {
      case "down":
        into.signals.push(signal("upstream_refused", 0.8, `service:${stepId}`, line));
        return;
      case "running":
        into.serviceRunning.push(line);
        return;
      case "cannot-tell":
        into.serviceUnknown.push(line);
    }
  };
}

/** Readers of the service managers' outputs, by `parse:` name (see playbooks/upstream-*.yaml). */
export const serviceReaders: Readonly<Record<string, EvidenceReader>> = {
  "systemd-active": readService(parseSystemdActive),
  "docker-ps": readService(parseDockerPs),
  "kubectl-pods": readService(parseKubectlPods),
};
