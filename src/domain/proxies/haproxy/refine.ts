import { HostEvidence } from "../../diagnosis/evidence";
import { signal } from "../../diagnosis/signal";

/** The fact the backends step records: a server line with `ssl`, as the config has it. */
export const SERVER_SSL = "haproxy-server-ssl";

/**
 * HAProxy ends a request `SC` (503) both when the server refuses and when the TLS handshake to it
 * fails: the lab's backend-tls host (`ssl` on a server line, a plain-HTTP port behind it) logs
 * exactly what a stopped upstream logs. The difference is elsewhere: the port answers plain TCP
 * and HTTP from the proxy host, and the server line asks for TLS. Then TLS is the cause.
 */
export function refineHaproxyEvidence(evidence: HostEvidence): void {
  const tlsServer = evidence.facts.get(SERVER_SSL);
  const connectFailed = evidence.signals.some((s) => s.source === "log:haproxy-SC");
  if (!tlsServer || !connectFailed || !evidence.upstreamAnswered) return;
  evidence.signals.push(
    signal("backend_tls", 0.9, "config:haproxy-ssl", `${tlsServer} (the port answers plain HTTP)`),
  );
}
