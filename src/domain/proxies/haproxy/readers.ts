import { summarizeAccessLog } from "../../diagnosis/access-log";
import { readHostClock } from "../../diagnosis/clock";
import { EvidenceReader, inWindow } from "../../diagnosis/evidence";
import { haproxyConfigTestSignals, parseHaproxyConfigTest } from "./configtest";
import { asAccessEntry, HaproxyRequest, parseHaproxyLog } from "./log";
import { classifyHaproxyEvent, classifyHaproxyRequest, isHaproxyProblem } from "./log-rules";
import { SERVER_SSL } from "./refine";
import { haproxyStatSignals, parseHaproxyStat } from "./stat";

/** HAProxy's own log and tools, by the `parse:` names of haproxy-502's steps. */
export const haproxyReaders: Readonly<Record<string, EvidenceReader>> = {
  // One log holds both the requests (HAProxy's access log) and its events (its error log).
  "haproxy-log": ({ output }, context, into) => {
    into.sawTraffic = true;
    const clock = readHostClock(output);
    const entries = inWindow(parseHaproxyLog(output, clock), clock, context);
    const requests = entries.filter((e): e is HaproxyRequest => e.kind === "request");
    for (const entry of entries) {
      if (entry.kind === "request") {
        into.signals.push(...classifyHaproxyRequest(entry));
        continue;
      }
      const found = classifyHaproxyEvent(entry);
      if (found) into.signals.push(found);
      else if (isHaproxyProblem(entry)) {
        into.unexplainedErrors.push({ line: entry.line, atMs: entry.timeMs });
      }
    }
    if (requests.length > 0 || into.access === null) {
      into.accessEntries = requests.map(asAccessEntry);
      into.access = summarizeAccessLog(into.accessEntries);
    }
  },
  "haproxy-configtest": ({ output, exitCode, stepId }, _context, into) => {
    into.signals.push(
      ...haproxyConfigTestSignals(parseHaproxyConfigTest(output, exitCode), stepId),
    );
  },
  "haproxy-stat": ({ output, stepId }, _context, into) => {
    into.signals.push(...haproxyStatSignals(parseHaproxyStat(output), stepId));
  },
  // The backends and server lines of the loaded config, shown to the responder; a server line
  // with `ssl` matters beside a connect failure (see refine.ts).
  "haproxy-backends": ({ output }, _context, into) => {
    const tls = output.split("\n").find((line) => /^\d+:\s*server\s.*\sssl(\s|$)/.test(line));
    if (tls) into.facts.set(SERVER_SSL, tls.trim());
  },
};
