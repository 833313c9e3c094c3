import { summarizeAccessLog } from "../../diagnosis/access-log";
import { readHostClock } from "../../diagnosis/clock";
import { EvidenceReader, inWindow } from "../../diagnosis/evidence";
import { parseNginxAccessLog } from "./access-log";
import { nginxConfigTestSignals, parseNginxConfigTest } from "./configtest";
import { parseNginxErrorLog } from "./error-log";
import { classifyNginxError, isNginxProxyError } from "./error-log-rules";

/** nginx's own logs and tools, by the `parse:` names of nginx-502's steps. */
export const nginxReaders: Readonly<Record<string, EvidenceReader>> = {
  "nginx-error-log": ({ output }, context, into) => {
    into.sawTraffic = true;
    const clock = readHostClock(output);
    for (const entry of inWindow(parseNginxErrorLog(output, clock), clock, context)) {
      const found = classifyNginxError(entry);
      if (found) into.signals.push(found);
      else if (isNginxProxyError(entry)) {
        into.unexplainedErrors.push({ line: entry.line, atMs: entry.timeMs });
      }
    }
  },
  "nginx-access-log": ({ output }, context, into) => {
    into.sawTraffic = true;
    into.accessEntries = inWindow(parseNginxAccessLog(output), readHostClock(output), context);
    into.access = summarizeAccessLog(into.accessEntries);
  },
  "nginx-configtest": ({ output, exitCode, stepId }, _context, into) => {
    into.signals.push(...nginxConfigTestSignals(parseNginxConfigTest(output, exitCode), stepId));
  },
  // Informational: the loaded upstream blocks and proxy_pass lines, shown to the responder.
  "nginx-upstreams": () => undefined,
};
