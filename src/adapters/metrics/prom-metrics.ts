import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Metrics } from "../../ports/metrics";

const PREFIX = "incident_bot_";

export interface PromMetricsOptions {
  /** Read at scrape time (the store's open index), so every process reports the same truth. */
  openIncidents?: () => Promise<number>;
  /** Jobs per queue and state (waiting, delayed, active, failed), read at scrape time. */
  queueJobs?: () => Promise<Record<string, Record<string, number>>>;
}

/** The Metrics port on prom-client, plus what the adapters count and the scrape itself. */
export interface PromMetrics extends Metrics {
  registry: Registry;
  /** `outcome`: ok, error (Slack said ok:false), failed (no answer), rate_limited (a 429). */
  slackApiCall(method: string, outcome: string): void;
  /** One job attempt of a queue: `outcome` completed or failed. */
  jobFinished(queue: string, outcome: "completed" | "failed", seconds: number): void;
  /** The Prometheus text exposition of everything registered. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Seconds: SSH steps take from milliseconds to a couple of minutes (the step timeout). */
const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createPromMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const declared = new Counter({
    name: `${PREFIX}incidents_declared_total`,
    help: "Incidents declared, by who or what declared them and severity.",
    labelNames: ["source", "severity"],
    registers: [registry],
  });
  const openIncidents = options.openIncidents;
  new Gauge({
    name: `${PREFIX}incidents_open`,
    help: "Incidents open or mitigated, read from the store at scrape time.",
    registers: [registry],
    async collect() {
      if (openIncidents) this.set(await openIncidents());
    },
  });
  const steps = new Histogram({
    name: `${PREFIX}playbook_step_duration_seconds`,
    help: "Playbook step durations, by playbook, step kind and outcome.",
    labelNames: ["playbook", "kind", "outcome"],
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const approvals = new Counter({
    name: `${PREFIX}approvals_total`,
    help: "Remediation approvals decided, by decision.",
    labelNames: ["decision"],
    registers: [registry],
  });
  const alerts = new Counter({
    name: `${PREFIX}alerts_received_total`,
    help: "Alert webhook deliveries, by source and what became of them.",
    labelNames: ["source", "status"],
    registers: [registry],
  });
  const firstDiagnosis = new Histogram({
    name: `${PREFIX}time_to_first_diagnosis_seconds`,
    help: "From the declare to the incident's first diagnosis.",
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [registry],
  });
  const jobs = new Histogram({
    name: `${PREFIX}job_duration_seconds`,
    help: "Queue job attempts, by queue and outcome.",
    labelNames: ["queue", "outcome"],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const announcementsFailed = new Counter({
    name: `${PREFIX}announcements_failed_total`,
    help: "Timeline events the chat was never told of (announce job out of attempts).",
    registers: [registry],
  });
  const queueJobs = options.queueJobs;
  new Gauge({
    name: `${PREFIX}queue_jobs`,
    help: "Jobs per queue and state, read from Redis at scrape time.",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      if (!queueJobs) return;
      for (const [queue, states] of Object.entries(await queueJobs())) {
        for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
      }
    },
  });
  const slackCalls = new Counter({
    name: `${PREFIX}slack_api_calls_total`,
    help: "Slack Web API calls, by method and outcome (rate_limited counts each 429).",
    labelNames: ["method", "outcome"],
    registers: [registry],
  });
  return {
    registry,
    incidentDeclared: (source, severity) => declared.inc({ source, severity }),
    stepFinished: (playbook, kind, outcome, seconds) =>
      steps.observe({ playbook, kind, outcome }, seconds),
    approvalDecided: (decision) => approvals.inc({ decision }),
    alertReceived: (source, status) => alerts.inc({ source, status }),
    firstDiagnosis: (seconds) => firstDiagnosis.observe(seconds),
    announcementFailed: () => announcementsFailed.inc(),
    slackApiCall: (method, outcome) => slackCalls.inc({ method, outcome }),
    jobFinished: (queue, outcome, seconds) => jobs.observe({ queue, outcome }, seconds),
    scrape: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
