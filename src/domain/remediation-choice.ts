import { Cause } from "./cause";
import { RemediationStep, Step } from "./playbook";

/**
 * Causes a restart of the upstream's service can fix and a proxy reload cannot: nothing listens
 * where the proxy connects. When the inventory names the proxy's upstream service and that
 * service's run offers its restart, the proxy's own remediations are not offered for these.
 */
const SERVICE_CAUSES: readonly Cause[] = ["upstream_refused"];

/** Does this remediation help with the cause the host was diagnosed with? */
function offersFor(step: RemediationStep, cause: Cause): boolean {
  if (cause === "healthy") return false;
  return step.offerFor ? step.offerFor.includes(cause) : true;
}

export interface HostToRemediate {
  host: string;
  cause: Cause;
  /** The upstream service this proxy forwards to, when the inventory names it. */
  upstreamService?: string;
}

/**
 * Which remediation steps to offer on which hosts: each step on the hosts whose cause it helps
 * with; on a proxy whose refused upstream's service is being offered a restart
 * (`restartOffered`), none of the proxy's own steps (a reload cannot start a service).
 */
export function remediationsToOffer(
  steps: readonly Step[],
  hosts: readonly HostToRemediate[],
  restartOffered: ReadonlySet<string>,
): { step: RemediationStep; hosts: string[] }[] {
  const leftToService = (h: HostToRemediate): boolean =>
    h.upstreamService !== undefined &&
    restartOffered.has(h.upstreamService) &&
    SERVICE_CAUSES.includes(h.cause);
  const offers: { step: RemediationStep; hosts: string[] }[] = [];
  for (const step of steps) {
    if (step.kind !== "remediation") continue;
    const chosen = hosts.filter((h) => offersFor(step, h.cause) && !leftToService(h));
    if (chosen.length > 0) offers.push({ step, hosts: chosen.map((h) => h.host) });
  }
  return offers;
}
