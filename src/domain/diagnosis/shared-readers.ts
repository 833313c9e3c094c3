import { EvidenceReader } from "./evidence";
import { parseDnsProbe, dnsProbeSignals } from "./parsers/dns-probe";
import { httpProbeAnswered, httpProbeSignals, parseHttpProbe } from "./parsers/http-probe";
import { openFilesSignals, parseOpenFiles } from "./parsers/open-files";
import { parseTcpProbe, tcpProbeSignals } from "./parsers/tcp-probe";

/**
 * Readers of the tools every proxy host has (curl, nc, getent, ss, /proc): the upstream probes
 * and the host's own pressure. Their `parse:` names carry no kind.
 */
export const sharedReaders: Readonly<Record<string, EvidenceReader>> = {
  "http-probe": ({ output, exitCode, stepId }, _context, into) => {
    into.sawTraffic = true;
    const probe = parseHttpProbe(output, exitCode);
    into.signals.push(...httpProbeSignals(probe, stepId));
    if (httpProbeAnswered(probe)) into.upstreamAnswered = true;
    else into.upstreamFailed = true;
  },
  "tcp-probe": ({ output, exitCode, stepId }, _context, into) => {
    into.sawTraffic = true;
    const probe = parseTcpProbe(output, exitCode);
    into.signals.push(...tcpProbeSignals(probe, stepId));
    if (probe.result === "open") into.upstreamAnswered = true;
    else into.upstreamFailed = true;
  },
  "dns-probe": ({ output, exitCode, stepId }, _context, into) => {
    const probe = parseDnsProbe(output, exitCode);
    into.signals.push(...dnsProbeSignals(probe, stepId));
    if (probe.resolved === false) into.upstreamFailed = true;
  },
  "open-files": ({ output, stepId }, _context, into) => {
    into.signals.push(...openFilesSignals(parseOpenFiles(output), stepId));
  },
  // Informational: shown to the responder, no cause of its own.
  connections: () => undefined,
};
