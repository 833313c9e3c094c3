import type { Incident } from "../../src/domain/incident";
import { BOT, person } from "../../src/domain/incident";
import type { TimelineEvent } from "../../src/domain/timeline";
import { requestsPerMinute } from "../../src/domain/access-log-status";

/**
 * A long incident as the page meets it: declared on 10 hosts, runs of the immediate playbook
 * every few minutes (a step-started and a step-finished per step and host), diagnoses,
 * approvals, notes and status updates, phase changes, until `count` events. Outputs are sized
 * like the lab's: short probes, error logs of a few KiB, access logs of a few hundred lines, and
 * now and then an output at the engine's cap (64 KiB), which the page has to fold.
 */
const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);
const HOSTS = Array.from({ length: 10 }, (_, i) => `proxy-${i + 1}`);
const STEPS = ["error-log", "access-log", "upstream-http", "upstream-port", "configtest"];

export const sampleIncident: Incident = {
  id: "inc-20261203-api-502s-bench",
  title: "API 502s on the edge",
  severity: "sev1",
  state: "open",
  phase: "long-term",
  commander: "UALICE",
  declaredBy: "UALICE",
  hosts: ["edge"],
  channel: "C1",
  messageRef: "C1:1",
  declaredAt: T0,
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
};

function accessLog(at: number, lines: number, failing: boolean): string {
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const pad = (n: number) => String(n).padStart(2, "0");
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const d = new Date(at - (lines - i) * 1000);
    const stamp = `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
    const status = failing && i % 3 !== 0 ? 503 : 200;
    out.push(
      `127.0.0.1 - - [${stamp}] "GET /api/ HTTP/1.1" ${status} 604 "-" "incident-lab/1" 505`,
    );
  }
  return out.join("\n");
}

function output(step: string, at: number, host: string, n: number): string {
  if (n % 97 === 0)
    return "AH00957: http: attempt to connect to 127.0.3.1:9000 failed\n".repeat(1100);
  if (step === "access-log") return accessLog(at, 300, host === "proxy-2");
  if (step === "error-log") {
    return "[proxy:error] (111)Connection refused: AH00957: http: attempt to connect to 127.0.3.1:9000 (upstream.proxy-2.lab:9000) failed\n".repeat(
      30,
    );
  }
  return "http_code=503 time_total=0.004\n";
}

export function sampleEvents(count: number): TimelineEvent[] {
  const events: TimelineEvent[] = [
    {
      type: "declared",
      key: "declared",
      at: T0,
      actor: person("UALICE"),
      summary: `Declared "${sampleIncident.title}" (sev1)`,
      details: { title: sampleIncident.title, severity: "sev1", hosts: HOSTS },
    },
  ];
  let at = T0;
  let n = 0;
  for (let run = 0; events.length < count; run++) {
    const runId = `inc-20261203-api-502s-bench-r${run}`;
    at += 3 * MIN;
    for (const host of HOSTS) {
      for (const stepId of STEPS) {
        if (events.length >= count) return events;
        n += 1;
        at += 500;
        events.push({
          type: "step-started",
          key: `step-started:${runId}:${host}:${stepId}`,
          at,
          actor: BOT,
          summary: `Step ${stepId} started on ${host}`,
          details: { runId, host, stepId, title: stepId },
        });
        const status = host === "proxy-2" && stepId === "upstream-http" ? "failed" : "ok";
        events.push({
          type: "step-finished",
          key: `step-finished:${runId}:${host}:${stepId}`,
          at: at + 200,
          actor: BOT,
          summary: `Step ${stepId} on ${host}: ${status}`,
          details: {
            runId,
            host,
            stepId,
            title: stepId,
            status,
            exitCode: status === "ok" ? 0 : 1,
            durationMs: 180,
            ...recorded(output(stepId, at, host, n)),
          },
        });
      }
    }
    events.push(...runEnd(runId, run, at + MIN));
  }
  return events.slice(0, count);
}

/** The output, and the request counts the bot records beside an access log's. */
function recorded(text: string) {
  const counts = requestsPerMinute(text);
  return { output: text, ...(counts.length > 0 ? { requestsPerMinute: counts } : {}) };
}

function runEnd(runId: string, run: number, at: number): TimelineEvent[] {
  const approvalId = `apr-${runId}-reload`;
  const events: TimelineEvent[] = [
    {
      type: "diagnosis",
      key: `diagnosis:${runId}`,
      at,
      actor: BOT,
      summary: "Diagnosis: upstream_refused on proxy-2",
      details: {
        runId,
        diagnosis: {
          cause: "upstream_refused",
          hosts: ["proxy-2"],
          summary: "Nothing listens on the upstream port",
          recommendation: "Start the upstream, then reload the proxy",
        },
        perHost: { "proxy-2": "upstream_refused" },
        evidence: { "proxy-2": ["AH00957: http: attempt to connect to 127.0.3.1:9000 failed"] },
      },
    },
    {
      type: "approval-requested",
      key: `approval-requested:${approvalId}`,
      at: at + 1000,
      actor: BOT,
      summary: "Approval requested: Graceful reload on proxy-2",
      details: {
        approvalId,
        runId,
        stepId: "graceful-reload",
        title: "Graceful reload",
        hosts: ["proxy-2"],
        commands: ["apache2ctl graceful"],
        requestedBy: "bot",
        expiresAt: at + 10 * MIN,
        precheck: "apache2ctl configtest",
      },
    },
    {
      type: "approval-denied",
      key: `approval-decided:${approvalId}`,
      at: at + 2000,
      actor: person("UBOB"),
      summary: "denied Graceful reload",
      details: { approvalId, by: "UBOB" },
    },
    {
      type: "note",
      key: `note-${run}`,
      at: at + 3000,
      actor: person("UALICE"),
      summary: "Note: still refused, looking at the upstream",
      details: { text: "still refused, looking at the upstream" },
    },
  ];
  if (run === 2 || run === 12) {
    const to = run === 2 ? "short-term" : "long-term";
    events.push({
      type: "phase-changed",
      key: `phase-${to}`,
      at: at + 4000,
      actor: BOT,
      summary: `Phase: ${to}`,
      details: { from: run === 2 ? "immediate" : "short-term", to },
    });
  }
  return events;
}
