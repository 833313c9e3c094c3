import type { Integration } from "../incident";
import type { Severity } from "../severity";

/** What one webhook delivery says, whichever tool sent it: the use case's input. */
export interface AlertNotice {
  integration: Integration;
  /** Groups deliveries about the same alert (Alertmanager's groupKey, PagerDuty's incident id). */
  dedupeKey: string;
  /** PagerDuty's event id: the same delivery sent twice is recognised by it. */
  deliveryId: string | null;
  status: "firing" | "resolved";
  title: string;
  severity: Severity;
  /** `instance`/`host` label values, matched against the inventory by the use case. */
  hostHints: string[];
  /** Back to the alert: generatorURL, externalURL or PagerDuty's html_url. */
  url: string | null;
}

/** What the inventory knows of a host, for matching alert labels. */
export interface KnownHost {
  name: string;
  address: string;
}

/**
 * Inventory names of the hosts an alert names: each hint (`10.0.0.11:9100`, `proxy-1`,
 * `[::1]:443`) is compared without its port to the host names and addresses. Unknown hints are
 * dropped; the order of first mention is kept.
 */
export function matchHosts(hints: readonly string[], hosts: readonly KnownHost[]): string[] {
  const found: string[] = [];
  for (const hint of hints) {
    const bare = withoutPort(hint.trim()).toLowerCase();
    const host = hosts.find(
      (h) => h.name.toLowerCase() === bare || h.address.toLowerCase() === bare,
    );
    if (host && !found.includes(host.name)) found.push(host.name);
  }
  return found;
}

function withoutPort(hint: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hint);
  if (bracketed) return bracketed[1] ?? hint;
  // One colon: host:port. More than one without brackets: a bare IPv6 address.
  const colons = hint.split(":").length - 1;
  return colons === 1 ? hint.slice(0, hint.indexOf(":")) : hint;
}
