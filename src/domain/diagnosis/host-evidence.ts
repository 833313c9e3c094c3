import { StepStatus } from "../step-result";
import { HostClock, readHostClock } from "./clock";
import { classifyErrorLogEntry, isProxyError } from "./error-log-rules";
import {
  AccessLogEntry,
  AccessLogSummary,
  parseAccessLog,
  summarizeAccessLog,
} from "./parsers/access-log";
import { configTestSignals, parseConfigTest } from "./parsers/configtest";
import { dnsProbeSignals, parseDnsProbe } from "./parsers/dns-probe";
import { ErrorLogEntry, parseErrorLog } from "./parsers/error-log";
import { httpProbeAnswered, httpProbeSignals, parseHttpProbe } from "./parsers/http-probe";
import { openFilesSignals, parseOpenFiles } from "./parsers/open-files";
import { parseServerStatus, serverStatusSignals } from "./parsers/server-status";
import { parseTcpProbe, tcpProbeSignals } from "./parsers/tcp-probe";
import { parseVirtualHosts, virtualHostsSignals } from "./parsers/vhosts";
import { ParserName } from "./parser-name";
import { Signal } from "./signal";

export interface StepEvidence {
  stepId: string;
  parser: ParserName;
  status: StepStatus;
  exitCode: number | null;
  /** stdout followed by stderr, capped (may end with a truncation marker line). */
  output: string;
}

export interface DiagnosisContext {
  windowMinutes: number;
  nowMs: number;
}

/** Everything one host's steps said, reduced to what the rules need. */
export interface HostEvidence {
  signals: Signal[];
  /** Proxy error lines in the window that no rule explains. */
  unexplainedErrors: { line: string; atMs: number }[];
  access: AccessLogSummary | null;
  /** The access log lines of the window, for "did it recover?" (see recovery.ts). */
  accessEntries: AccessLogEntry[];
  upstreamAnswered: boolean;
  upstreamFailed: boolean;
  /** Did any step that tells about traffic (logs, probes) produce output we could read? */
  sawTraffic: boolean;
}

/** A day beyond the window: no time zone puts a host's clock further from ours. */
const STALE_MS = 24 * 60 * 60_000;

/**
 * The window is measured on the host's clock (the `clock:` line the step printed). Without it the
 * newest line stands in for "now", unless even that is older than any time zone could explain, in
 * which case our own clock decides and old lines drop out.
 */
function windowStartFor(
  clock: HostClock | null,
  times: readonly number[],
  context: DiagnosisContext,
): number {
  const windowMs = context.windowMinutes * 60_000;
  if (clock) return clock.nowMs - windowMs;
  const newest = Math.max(...times, Number.NEGATIVE_INFINITY);
  if (newest < context.nowMs - STALE_MS - windowMs) return context.nowMs - windowMs;
  return newest - windowMs;
}

function recentErrors(output: string, context: DiagnosisContext): ErrorLogEntry[] {
  const clock = readHostClock(output);
  const { entries } = parseErrorLog(output, clock);
  const start = windowStartFor(
    clock,
    entries.map((e) => e.timeMs),
    context,
  );
  return entries.filter((e) => e.timeMs >= start);
}

/** A step that could not run tells nothing about the host, only about our reach to it. */
const usable = (step: StepEvidence): boolean =>
  step.status !== "error" && step.status !== "skipped";

export function collectHostEvidence(
  steps: readonly StepEvidence[],
  context: DiagnosisContext,
): HostEvidence {
  const evidence: HostEvidence = {
    signals: [],
    unexplainedErrors: [],
    access: null,
    accessEntries: [],
    upstreamAnswered: false,
    upstreamFailed: false,
    sawTraffic: false,
  };
  for (const step of steps.filter(usable)) readStep(step, context, evidence);
  return evidence;
}

function readStep(step: StepEvidence, context: DiagnosisContext, into: HostEvidence): void {
  const { output, exitCode, stepId } = step;
  switch (step.parser) {
    case "apache-error-log": {
      into.sawTraffic = true;
      for (const entry of recentErrors(output, context)) {
        const found = classifyErrorLogEntry(entry);
        if (found) into.signals.push(found);
        else if (isProxyError(entry)) {
          into.unexplainedErrors.push({ line: entry.line, atMs: entry.timeMs });
        }
      }
      return;
    }
    case "apache-access-log": {
      into.sawTraffic = true;
      const clock = readHostClock(output);
      const entries = parseAccessLog(output);
      const start = windowStartFor(
        clock,
        entries.map((e) => e.timeMs),
        context,
      );
      into.accessEntries = entries.filter((e) => e.timeMs >= start);
      into.access = summarizeAccessLog(into.accessEntries);
      return;
    }
    case "http-probe": {
      into.sawTraffic = true;
      const probe = parseHttpProbe(output, exitCode);
      const signals = httpProbeSignals(probe, stepId);
      into.signals.push(...signals);
      if (httpProbeAnswered(probe)) into.upstreamAnswered = true;
      else into.upstreamFailed = true;
      return;
    }
    case "tcp-probe": {
      into.sawTraffic = true;
      const probe = parseTcpProbe(output, exitCode);
      into.signals.push(...tcpProbeSignals(probe, stepId));
      if (probe.result === "open") into.upstreamAnswered = true;
      else into.upstreamFailed = true;
      return;
    }
    case "dns-probe": {
      const probe = parseDnsProbe(output, exitCode);
      into.signals.push(...dnsProbeSignals(probe, stepId));
      if (probe.resolved === false) into.upstreamFailed = true;
      return;
    }
    case "apache-configtest":
      into.signals.push(...configTestSignals(parseConfigTest(output, exitCode), stepId));
      return;
    case "apache-vhosts":
      into.signals.push(...virtualHostsSignals(parseVirtualHosts(output, exitCode), stepId));
      return;
    case "open-files":
      into.signals.push(...openFilesSignals(parseOpenFiles(output), stepId));
      return;
    case "server-status":
      into.signals.push(...serverStatusSignals(parseServerStatus(output, exitCode), stepId));
      return;
    // Informational: shown to the responder, no cause of their own.
    case "apache-modules":
    case "connections":
      return;
  }
}
