import { Cause, causes } from "../cause";
import { Finding } from "../step-result";
import { HostEvidence } from "./evidence";
import { recoveredSince } from "./recovery";
import { Signal } from "./signal";

const MAX_EVIDENCE = 4;

/** Causes about traffic right now, as opposed to the config on disk or "all is well". */
const NOT_TRAFFIC: readonly Cause[] = ["config_invalid", "healthy", "unknown"];
const TRAFFIC_CAUSES: readonly Cause[] = causes.filter((cause) => !NOT_TRAFFIC.includes(cause));

/**
 * Independent kinds of observation add up (`1 - Π(1 - w)`); within one kind (all log lines, one
 * probe) the strongest counts, plus a little when it repeats, so a flood of one line is not proof.
 */
function confidenceOf(signals: readonly Signal[]): number {
  const byKind = new Map<string, Signal[]>();
  for (const s of signals) {
    const kind = s.source.split(":")[0] ?? s.source;
    byKind.set(kind, [...(byKind.get(kind) ?? []), s]);
  }
  let doubt = 1;
  for (const group of byKind.values()) {
    const strongest = Math.max(...group.map((s) => s.weight));
    const repeated = group.length >= 3 ? 0.05 : 0;
    doubt *= 1 - Math.min(0.95, strongest + repeated);
  }
  return Math.round(Math.min(0.99, 1 - doubt) * 100) / 100;
}

/** Log lines differ by time, pid and client port; compare them without those. */
function sameness(line: string): string {
  return line
    .replace(/^\[[^\]]*\] /, "")
    .replace(/\[pid \d+(?::tid \d+)?\] /, "")
    .replace(/\[client [^\]]*\] /, "")
    .replace(/ after \d+ ms/, "");
}

/** The most telling few lines: strongest first, newest first among equals, each said once. */
function pickEvidence(signals: readonly Signal[], extra: readonly string[]): string[] {
  // Log lines come oldest first: among equals the newest tells most. Probe and config lines keep
  // their order (a syntax error line, then its explanation).
  const ordered = signals
    .map((s, index) => ({ s, index: s.source.startsWith("log") ? -index : index }))
    .sort((a, b) => b.s.weight - a.s.weight || a.index - b.index);
  const seen = new Set<string>();
  const picked: string[] = [];
  const bySource = new Map<string, number>();
  for (const { s } of ordered) {
    const key = sameness(s.evidence);
    // At most two lines per source, so a probe line still makes it next to the log lines.
    const count = bySource.get(s.source) ?? 0;
    if (seen.has(key) || count >= 2) continue;
    seen.add(key);
    bySource.set(s.source, count + 1);
    picked.push(s.evidence);
  }
  return [...picked.slice(0, MAX_EVIDENCE - extra.length), ...extra];
}

/**
 * Follow-up lines Apache writes after the real failure: a TLS handshake failure also fails the
 * request body (AH01084/AH01097), a reset while reading headers (AH10404) ends in "bad header"
 * (AH01106). With the real failure in the log they belong to its story, weakly.
 */
const echoes: readonly { of: Cause; first: string; echoes: readonly string[] }[] = [
  { of: "backend_tls", first: "log:", echoes: ["log:AH01084", "log:AH01097"] },
  { of: "upstream_reset", first: "log:AH10404", echoes: ["log:AH01106"] },
];

function withoutEchoes(signals: readonly Signal[]): Signal[] {
  return echoes.reduce<Signal[]>(
    (current, rule) => {
      const found = current.some((s) => s.cause === rule.of && s.source.startsWith(rule.first));
      if (!found) return current;
      return current.map((s) =>
        rule.echoes.includes(s.source) ? { ...s, cause: rule.of, weight: 0.2 } : s,
      );
    },
    [...signals],
  );
}

/**
 * Order: the traffic causes (strongest first; the proxy saying it ran out first of all: Apache's
 * MaxRequestWorkers, nginx's worker_connections, HAProxy's queue timeout, since timeouts and
 * refusals follow from it), then a broken config on disk, then the rest.
 */
function rank(finding: Finding, signals: readonly Signal[]): number {
  if (finding.cause === "proxy_exhausted" && signals.some((s) => s.weight >= 0.95)) return 3;
  if (TRAFFIC_CAUSES.includes(finding.cause)) return 2;
  if (finding.cause === "config_invalid") return 1;
  return 0;
}

/** How much a cause counts once the host has recovered from it: it stays listed, weakly. */
const RECOVERED_FACTOR = 0.4;

export function findingsFor(evidence: HostEvidence): Finding[] {
  const signals = withoutEchoes(evidence.signals);
  const since = recoveredSince(
    evidence,
    signals.filter((s) => TRAFFIC_CAUSES.includes(s.cause)),
  );
  const accessSample = evidence.access?.samples[0];
  const ranked: { finding: Finding; rank: number }[] = [];
  for (const cause of new Set(signals.map((s) => s.cause))) {
    const own = signals.filter((s) => s.cause === cause);
    const extra = cause !== "config_invalid" && accessSample ? [accessSample] : [];
    const past = since !== null && TRAFFIC_CAUSES.includes(cause) ? RECOVERED_FACTOR : 1;
    const confidence = Math.round(confidenceOf(own) * past * 100) / 100;
    const finding = { cause, evidence: pickEvidence(own, extra), confidence };
    ranked.push({ finding, rank: rank(finding, own) });
  }
  ranked.sort((a, b) => b.rank - a.rank || b.finding.confidence - a.finding.confidence);
  const findings = ranked.map((r) => r.finding);
  // A lone weak hint (one "within MinSpareThreads" line) is listed, but never outranks the verdict.
  const strong = findings.filter((f) => !isWeakTraffic(f));
  const weak = findings.filter(isWeakTraffic);
  if (!strong.some((f) => TRAFFIC_CAUSES.includes(f.cause))) {
    const verdict = since === null ? trafficVerdict(evidence) : recoveredVerdict(evidence, since);
    if (verdict) strong.push(verdict);
  }
  const all = [...strong, ...weak];
  return all.length ? all : [{ cause: "unknown", evidence: [], confidence: 0.1 }];
}

const WEAK_CONFIDENCE = 0.5;

function isWeakTraffic(finding: Finding): boolean {
  return TRAFFIC_CAUSES.includes(finding.cause) && finding.confidence < WEAK_CONFIDENCE;
}

/** Healthy again: what clients got since the last proxy error. */
function recoveredVerdict(evidence: HostEvidence, since: number): Finding {
  const answers = evidence.accessEntries.filter((e) => e.timeMs > since).length;
  const at = new Date(since).toISOString().slice(11, 19);
  return {
    cause: "healthy",
    evidence: [
      `recovered: ${answers} requests since the last proxy error (${at} UTC), none answered 5xx`,
      "upstream probe answered",
    ],
    confidence: 0.8,
  };
}

/** With no cause found: healthy when the logs are clean and the upstream answers, else unknown. */
function trafficVerdict(evidence: HostEvidence): Finding | null {
  const access = evidence.access;
  const gatewayErrors = access?.gatewayErrors ?? 0;
  if (evidence.unexplainedErrors.length > 0 || gatewayErrors > 0 || evidence.upstreamFailed) {
    const unexplained = evidence.unexplainedErrors.map((e) => e.line);
    const lines = [...unexplained.slice(-2).reverse(), ...(access?.samples ?? [])];
    return { cause: "unknown", evidence: lines.slice(0, MAX_EVIDENCE), confidence: 0.3 };
  }
  if (!evidence.sawTraffic) return serviceVerdict(evidence);
  const summary = access
    ? `${access.total} ${access.total === 1 ? "request" : "requests"} in the window, none answered 502/503/504`
    : "no proxy errors in the window";
  const answered = evidence.upstreamAnswered ? ["upstream probe answered"] : [];
  return {
    cause: "healthy",
    evidence: [summary, ...answered],
    confidence: evidence.upstreamAnswered ? 0.9 : 0.6,
  };
}

/**
 * A host that only ran service checks (an upstream's service host): its service runs, or its
 * manager could not tell (unknown, with what the manager printed), or nothing was read.
 */
function serviceVerdict(evidence: HostEvidence): Finding | null {
  if (evidence.serviceUnknown.length > 0) {
    return {
      cause: "unknown",
      evidence: evidence.serviceUnknown.slice(0, MAX_EVIDENCE),
      confidence: 0.2,
    };
  }
  if (evidence.serviceRunning.length === 0) return null;
  return {
    cause: "healthy",
    evidence: evidence.serviceRunning.slice(0, MAX_EVIDENCE),
    confidence: 0.8,
  };
}
