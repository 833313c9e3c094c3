import { readHostClock } from "../../diagnosis/clock";
import { EvidenceReader, DiagnosisContext, inWindow } from "../../diagnosis/evidence";
import { summarizeAccessLog } from "../../diagnosis/access-log";
import { parseAccessLog } from "./access-log";
import { configTestSignals, parseConfigTest } from "./configtest";
import { ErrorLogEntry, parseErrorLog } from "./error-log";
import { classifyErrorLogEntry, isProxyError } from "./error-log-rules";
import { parseServerStatus, serverStatusSignals } from "./server-status";
import { parseVirtualHosts, virtualHostsSignals } from "./vhosts";

function recentErrors(output: string, context: DiagnosisContext): ErrorLogEntry[] {
  const clock = readHostClock(output);
  return inWindow(parseErrorLog(output, clock).entries, clock, context);
}

/** Apache's own logs and tools, by the `parse:` names of apache-502's steps. */
export const apacheReaders: Readonly<Record<string, EvidenceReader>> = {
  "apache-error-log": ({ output }, context, into) => {
    into.sawTraffic = true;
    for (const entry of recentErrors(output, context)) {
      const found = classifyErrorLogEntry(entry);
      if (found) into.signals.push(found);
      else if (isProxyError(entry)) {
        into.unexplainedErrors.push({ line: entry.line, atMs: entry.timeMs });
      }
    }
  },
  "apache-access-log": ({ output }, context, into) => {
    into.sawTraffic = true;
    into.accessEntries = inWindow(parseAccessLog(output), readHostClock(output), context);
    into.access = summarizeAccessLog(into.accessEntries);
  },
  "apache-configtest": ({ output, exitCode, stepId }, _context, into) => {
    into.signals.push(...configTestSignals(parseConfigTest(output, exitCode), stepId));
  },
  "apache-vhosts": ({ output, exitCode, stepId }, _context, into) => {
    into.signals.push(...virtualHostsSignals(parseVirtualHosts(output, exitCode), stepId));
  },
  "server-status": ({ output, exitCode, stepId }, _context, into) => {
    into.signals.push(...serverStatusSignals(parseServerStatus(output, exitCode), stepId));
  },
  // Informational: shown to the responder, no cause of its own.
  "apache-modules": () => undefined,
};
