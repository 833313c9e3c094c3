import { Cause } from "../cause";
import { Diagnosis, Finding } from "../step-result";
import { DEFAULT_PROXY_KIND, ProxyKindName, proxyKind } from "../proxies/registry";
import type { ServiceManager } from "../service-manager";
import { causePhrase } from "./cause-phrase";
import { upstreamsNamedIn } from "./upstream-named";

export interface FleetHostReport {
  host: string;
  /** The host's proxy kind (absent: Apache): recommendations speak that proxy's words. */
  kind?: ProxyKindName;
  /** Set when the report is of an upstream's service checks, not of a proxy. */
  service?: { name: string; manager: ServiceManager };
  reachable: boolean;
  findings: Finding[];
}

type ServiceTag = NonNullable<FleetHostReport["service"]>;

/** Secondary findings this sure are worth naming next to the main cause (e.g. a broken config). */
const SECONDARY_CONFIDENCE = 0.5;

interface CauseGroup {
  cause: Cause;
  hosts: string[];
  evidence: string[];
  confidence: number;
}

/** The host's main cause is its first finding (see host-findings.ts for the order). */
export function primaryCause(findings: readonly Finding[]): Cause {
  return findings[0]?.cause ?? "unknown";
}

function groupByCause(reports: readonly FleetHostReport[]): {
  primary: CauseGroup[];
  secondary: CauseGroup[];
} {
  const primary = new Map<Cause, CauseGroup>();
  const secondary = new Map<Cause, CauseGroup>();
  const add = (into: Map<Cause, CauseGroup>, report: FleetHostReport, finding: Finding): void => {
    const group = into.get(finding.cause) ?? {
      cause: finding.cause,
      hosts: [],
      evidence: [],
      confidence: 0,
    };
    if (!group.hosts.includes(report.host)) group.hosts.push(report.host);
    group.evidence.push(...finding.evidence);
    group.confidence = Math.max(group.confidence, finding.confidence);
    into.set(finding.cause, group);
  };
  for (const report of reports) {
    const [first, ...rest] = report.findings;
    add(primary, report, first ?? { cause: "unknown", evidence: [], confidence: 0 });
    for (const finding of rest) {
      const meaningful = finding.cause !== "healthy" && finding.cause !== "unknown";
      if (meaningful && finding.confidence >= SECONDARY_CONFIDENCE) {
        add(secondary, report, finding);
      }
    }
  }
  return { primary: [...primary.values()], secondary: [...secondary.values()] };
}

/**
 * What the incident is about: a traffic problem on one host outranks a broken config on disk,
 * which outranks "unknown", which outranks "healthy" on many; then more hosts, then surer.
 */
function severity(group: CauseGroup): number {
  switch (group.cause) {
    case "healthy":
      return 0;
    case "unknown":
      return 1;
    case "config_invalid":
      return 2;
    default:
      return 3;
  }
}

/** One entry per cause: a cause that is main on one host and secondary on another is one entry. */
function mergeByCause(groups: readonly CauseGroup[]): CauseGroup[] {
  const merged = new Map<Cause, CauseGroup>();
  for (const group of groups) {
    const seen = merged.get(group.cause);
    if (!seen) merged.set(group.cause, { ...group, hosts: [...group.hosts] });
    else {
      seen.hosts.push(...group.hosts.filter((h) => !seen.hosts.includes(h)));
      seen.evidence.push(...group.evidence);
      seen.confidence = Math.max(seen.confidence, group.confidence);
    }
  }
  return [...merged.values()];
}

function listHosts(hosts: readonly string[]): string {
  if (hosts.length <= 1) return hosts[0] ?? "no host";
  return `${hosts.slice(0, -1).join(", ")} and ${hosts[hosts.length - 1]}`;
}

/** Each host's proxy kind; a host that runs a proxy and an upstream service is its proxy's. */
type KindOf = ReadonlyMap<string, ProxyKindName>;

function kindsOf(reports: readonly FleetHostReport[]): KindOf {
  const kinds = new Map<string, ProxyKindName>();
  const proxiesFirst = [...reports.filter((r) => !r.service), ...reports.filter((r) => r.service)];
  for (const r of proxiesFirst)
    if (!kinds.has(r.host)) kinds.set(r.host, r.kind ?? DEFAULT_PROXY_KIND);
  return kinds;
}

/** Hosts per kind, kinds in order of first appearance. */
function hostsByKind(hosts: readonly string[], kindOf: KindOf): [ProxyKindName, string[]][] {
  const byKind = new Map<ProxyKindName, string[]>();
  for (const host of hosts) {
    const kind = kindOf.get(host) ?? DEFAULT_PROXY_KIND;
    byKind.set(kind, [...(byKind.get(kind) ?? []), host]);
  }
  return [...byKind.entries()];
}

/** A kind's own words when the whole group is of that kind, else words that fit every kind. */
function phraseFor(group: CauseGroup, kindOf: KindOf): string {
  const kinds = hostsByKind(group.hosts, kindOf);
  const only = kinds.length === 1 ? kinds[0]?.[0] : undefined;
  return (only && proxyKind(only).causePhrases[group.cause]) ?? causePhrase[group.cause];
}

function sentenceFor(group: CauseGroup, kindOf: KindOf): string {
  const upstreams = upstreamsNamedIn(group.evidence);
  const about = upstreams.length ? ` (${upstreams.slice(0, 3).join(", ")})` : "";
  return `${listHosts(group.hosts)}: ${phraseFor(group, kindOf)}${about}.`;
}

/**
 * One recommendation per kind among the group's proxy hosts, each in that proxy's words, then one
 * per upstream service whose own checks found it down there.
 */
function recommendationFor(
  group: CauseGroup,
  upstream: string,
  services: ReadonlyMap<string, ServiceTag>,
  kindOf: KindOf,
): string {
  const onServiceHosts = [...services.entries()].filter(([host]) => group.hosts.includes(host));
  const proxies = group.hosts.filter((host) => !services.has(host));
  const words =
    proxies.length > 0 ? proxyRecommendation(group.cause, proxies, upstream, kindOf) : "";
  const down = group.cause === "upstream_refused" ? serviceAdvice(onServiceHosts) : "";
  return [words, down].filter(Boolean).join(" ");
}

/** "The upstream service checkout (systemd on app-1) is down: restart it …", per service. */
function serviceAdvice(hosts: readonly [string, ServiceTag][]): string {
  const byService = new Map<string, { tag: ServiceTag; hosts: string[] }>();
  for (const [host, tag] of hosts) {
    const entry = byService.get(tag.name) ?? { tag, hosts: [] };
    entry.hosts.push(host);
    byService.set(tag.name, entry);
  }
  return [...byService.values()]
    .map(
      ({ tag, hosts: on }) =>
        `The upstream service ${tag.name} (${tag.manager} on ${listHosts(on)}) is not running: restart it (upstream-${tag.manager}'s restart, after approval), then see the proxies' 502s stop.`,
    )
    .join(" ");
}

function proxyRecommendation(
  cause: Cause,
  proxies: readonly string[],
  upstream: string,
  kindOf: KindOf,
): string {
  const kinds = hostsByKind(proxies, kindOf);
  if (kinds.length === 1) {
    const [kind, hosts] = kinds[0] ?? [DEFAULT_PROXY_KIND, proxies];
    return proxyKind(kind).recommendation(cause, listHosts(hosts), upstream);
  }
  return kinds
    .map(([kind, hosts]) => {
      const { title, recommendation } = proxyKind(kind);
      return `${title} (${listHosts(hosts)}): ${recommendation(cause, listHosts(hosts), upstream)}`;
    })
    .join(" ");
}

export function diagnoseFleet(reports: readonly FleetHostReport[]): Diagnosis {
  const reached = reports.filter((r) => r.reachable);
  const unreachable = reports.filter((r) => !r.reachable).map((r) => r.host);
  const missing = unreachable.length
    ? ` ${listHosts(unreachable)} could not be reached and ${unreachable.length > 1 ? "were" : "was"} not diagnosed.`
    : "";
  const { primary, secondary } = groupByCause(reached);
  primary.sort(
    (a, b) =>
      severity(b) - severity(a) || b.hosts.length - a.hosts.length || b.confidence - a.confidence,
  );
  const main = primary[0];
  if (!main) {
    return {
      cause: "unknown",
      hosts: [],
      summary: `No host could be diagnosed.${missing}`,
      recommendation: `Check that the proxy hosts are up and reachable over SSH (address, port, key, known_hosts), then run the playbook again.`,
    };
  }
  if (
    reached.every((r) => r.findings.every((f) => f.evidence.length === 0 && f.cause === "unknown"))
  ) {
    return {
      cause: "unknown",
      hosts: reached.map((r) => r.host),
      summary: `No step of this run read the state of ${listHosts(reached.map((r) => r.host))} (manual items or checks only), so there is nothing to diagnose.${missing}`,
      recommendation: `Run the immediate phase (error log, access log and upstream probes) for a diagnosis.`,
    };
  }
  const others = mergeByCause([
    ...primary.slice(1),
    ...secondary.filter((g) => g.cause !== main.cause),
  ]);
  const upstream = upstreamsNamedIn(main.evidence)[0] ?? "the upstream";
  const kindOf = kindsOf(reached);
  const summary = [main, ...others].map((g) => sentenceFor(g, kindOf)).join(" ") + missing;
  const diagnosis: Diagnosis = {
    cause: main.cause,
    hosts: main.hosts,
    summary,
    recommendation: recommendationFor(main, upstream, serviceOnlyHosts(reached), kindOf),
  };
  if (others.length) diagnosis.others = others.map((g) => ({ cause: g.cause, hosts: g.hosts }));
  return diagnosis;
}

/**
 * Hosts whose only report is an upstream service's checks: a host that also runs a proxy of the
 * incident (the service beside its proxy) is spoken of as the proxy.
 */
function serviceOnlyHosts(reports: readonly FleetHostReport[]): Map<string, ServiceTag> {
  const proxies = new Set(reports.filter((r) => !r.service).map((r) => r.host));
  const services = new Map<string, ServiceTag>();
  for (const r of reports) if (r.service && !proxies.has(r.host)) services.set(r.host, r.service);
  return services;
}
