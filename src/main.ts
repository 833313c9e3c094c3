import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import {
  healthRoute,
  incidentPageLinks,
  incidentPageRoutes,
  listenerRoute,
  metricsRoute,
  alertRoutes,
  startHttpServer,
  type HealthReport,
  type HttpRoute,
  type HttpServer,
} from "./adapters/http";
import { createPromMetrics, type PromMetrics } from "./adapters/metrics";
import { boltLogger, createLogger, problemLog, type Logger } from "./adapters/log";
import { loadInventory, resolveInventoryHosts } from "./adapters/playbooks/load-inventory";
import { findService } from "./domain/inventory";
import { yamlPlaybookCatalog } from "./adapters/playbooks/load-playbooks";
import {
  BullmqJobQueue,
  DEFAULT_QUEUE_SETTINGS,
  startLifecycleWorkers,
  type LifecycleHandlers,
  type LifecycleWorkers,
  type QueueSettings,
} from "./adapters/queue";
import {
  createSlackApp,
  createSlackClient,
  SlackChat,
  SlackConfigError,
  slackIncidentService,
  type SlackApp,
} from "./adapters/slack";
import { SshExecutor } from "./adapters/ssh/ssh-executor";
import { createRedisStores, RedisAlertStore, redisKeys } from "./adapters/store";
import { announceEvent, recordAnnouncementFailed, refreshIncidentCard } from "./app/announce-event";
import { enginePlaybookRunner } from "./engine/playbook-runner";
import { executeHostRun } from "./app/execute-host-run";
import { executeRemediation } from "./app/execute-remediation";
import { expireApproval } from "./app/expire-approval";
import { fireClockEntry } from "./app/fire-clock-entry";
import { declareAlerted } from "./app/receive-alert";
import { DEFAULT_SETTINGS, type LifecycleDeps, type LifecycleSettings } from "./app/lifecycle-deps";
import { ConfigError, configFrom, environmentWithDotEnv, type Config } from "./config/env";
import type { KnownHost } from "./domain/alerts/alert-notice";
import type { AlertStore } from "./ports/alert-store";
import type { Chat } from "./ports/chat";
import { systemClock, type Clock } from "./ports/clock";
import type { PlaybookRunner } from "./ports/playbook-runner";
import type { RemoteExecutor } from "./ports/remote-executor";

/**
 * The composition root. Roles: `all` (npm start: Slack listeners and workers in one process),
 * `bot` (Slack only: use cases enqueue, nothing runs jobs), `worker` (step, remediation, clock and
 * announce workers; any number of them on one Redis). Shuts down gracefully on SIGTERM/SIGINT:
 * stop taking work, let running jobs finish, close queues and Redis.
 */
export type Role = "all" | "bot" | "worker";

export type Log = (message: string, details?: Record<string, unknown>) => void;

/** The process's logger: JSON lines on stdout at LOG_LEVEL, with the configured secrets blanked. */
export function processLogger(config: Config): Logger {
  const { botToken, signingSecret, appToken } = config.slack;
  const { webhookToken, pagerDutySecret } = config.alerts;
  const { secret: pageSecret, listToken } = config.page;
  const secrets = [
    botToken,
    signingSecret,
    appToken,
    webhookToken,
    pagerDutySecret,
    pageSecret,
    listToken,
  ].filter((s): s is string => Boolean(s));
  return createLogger({ level: config.logLevel, secrets });
}

export interface RuntimeOptions {
  config: Config;
  chat: Chat;
  log?: Log;
  /** Default true: run the workers in this process. */
  workers?: boolean;
  /** Redis key prefix for the stores and BullMQ (default: REDIS_PREFIX); tests use their own. */
  keyPrefix?: string;
  queue?: Partial<QueueSettings>;
  settings?: Partial<LifecycleSettings>;
  /** Default: the engine over SSH with the configured inventory and playbooks. */
  runner?: PlaybookRunner;
  clock?: Clock;
}

export interface Runtime {
  deps: LifecycleDeps;
  /** This process's counters and the open-incidents gauge, for GET /metrics. */
  metrics: PromMetrics;
  /** Which incident holds each alert's dedupe key, for the alert routes. */
  alerts: AlertStore;
  queue: BullmqJobQueue;
  workers: LifecycleWorkers | null;
  /** Redis answers, and this process's workers (if it runs any) are running: for GET /healthz. */
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}

/** How long /healthz waits for Redis before calling it down. */
const HEALTH_TIMEOUT_MS = 2000;

/** Stores, queue, use-case deps and (optionally) workers on one Redis. The shell uses it too. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? problemLog(processLogger(options.config));
  const prefix = options.keyPrefix ?? options.config.redisPrefix;
  // BullMQ workers need maxRetriesPerRequest: null (blocking commands must not give up).
  const redis = new Redis(options.config.redisUrl, { maxRetriesPerRequest: null });
  const queueSettings: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS, prefix, ...options.queue };
  const clock = options.clock ?? systemClock;
  const queue = new BullmqJobQueue(redis, queueSettings, () => clock.now());
  queue.onError((name, error) => log("queue error", { queue: name, error: error.message }));
  const runner = options.runner ?? (await sshRunner(options.config, new SshExecutor()));
  // The stores' commands go out auto-pipelined: what a burst of requests or jobs asks in one tick
  // leaves in one write (a loopback write per command was the intake's largest cost). Not on the
  // queue's connection: BullMQ's blocking commands must not share a pipeline.
  const storeRedis = redis.duplicate({ enableAutoPipelining: true });
  const stores = createRedisStores(storeRedis, prefix, (problem) =>
    log("invalid timeline event", { problem }),
  );
  // Alert intake fails fast while Redis is away (no offline queue, no retries), so a webhook gets
  // its 5xx at once and the sender retries, instead of a request hanging on a reconnect.
  const alertRedis = redis.duplicate({
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  alertRedis.on("error", () => undefined); // reported by the main connection and /healthz
  // Connected before the routes open; a Redis that is down now is retried like any other.
  await alertRedis.connect().catch(() => undefined);
  const alerts = new RedisAlertStore(alertRedis, redisKeys(prefix));
  const metrics = createPromMetrics({
    openIncidents: () => stores.incidents.countOpen(),
    queueJobs: () => queue.jobCounts(),
  });
  const { publicUrl, secret: pageSecret } = options.config.page;
  const deps: LifecycleDeps = {
    ...stores,
    ...(publicUrl && pageSecret ? { pages: incidentPageLinks(publicUrl, pageSecret) } : {}),
    metrics,
    queue,
    clock,
    runner,
    chat: options.chat,
    settings: {
      ...DEFAULT_SETTINGS,
      phaseMinuteMs: options.config.phaseMinuteMs,
      reminders: options.config.reminders,
      approvers: options.config.approvers,
      approvalsRequired: options.config.approvalsRequired,
      operators: options.config.operators,
      responders: options.config.responders,
      ...options.settings,
    },
    // randomUUID draws from a cached pool of entropy; randomBytes asks the kernel each time. The
    // first six hex digits of a v4 UUID are all random.
    randomSuffix: () => randomUUID().slice(0, 6),
    digest: (text) => createHash("sha256").update(text).digest("hex"),
    log,
  };
  const workers =
    options.workers === false
      ? null
      : startLifecycleWorkers(
          redis,
          queueSettings,
          lifecycleHandlers(deps, alerts),
          (where, error, job) =>
            log(job ? "job attempt failed" : "worker error", {
              queue: where,
              ...(job
                ? { jobId: job.job, incidentId: job.incident, runId: job.run, host: job.host }
                : {}),
              error: error instanceof Error ? error.message : String(error),
            }),
          metrics.jobFinished,
        );
  await queue.ready();
  await Promise.all(workers?.workers.map((worker) => worker.waitUntilReady()) ?? []);
  return {
    deps,
    metrics,
    alerts,
    queue,
    workers,
    health: async () => {
      const checks: Record<string, string> = { redis: await redisHealth(redis) };
      if (workers) {
        const stopped = workers.workers.filter((worker) => !worker.isRunning()).length;
        checks.workers = stopped === 0 ? "ok" : `${stopped} of ${workers.workers.length} stopped`;
      }
      return { ok: Object.values(checks).every((check) => check === "ok"), checks };
    },
    close: async () => {
      await workers?.close();
      await queue.close();
      await alertRedis.quit();
      await storeRedis.quit();
      await redis.quit();
    },
  };
}

async function redisHealth(redis: Redis): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`no answer within ${HEALTH_TIMEOUT_MS} ms`),
      HEALTH_TIMEOUT_MS,
    );
  });
  const ping = redis.ping().then(
    (reply) => (reply === "PONG" ? "ok" : `unexpected reply ${reply}`),
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each worker is thin: one use case per job kind. */
export function lifecycleHandlers(deps: LifecycleDeps, alerts: AlertStore): LifecycleHandlers {
  return {
    declare: (job, attempt) => declareAlerted({ ...deps, alerts }, job, attempt),
    hostRun: (job, attempt) => executeHostRun(deps, job, attempt),
    remediation: (job) => executeRemediation(deps, job),
    clockEntry: (job) => fireClockEntry(deps, job),
    approvalExpiry: (job) => expireApproval(deps, job),
    announce: (job) => announceEvent(deps, job),
    announceFailed: (job, error) => recordAnnouncementFailed(deps, job, error),
    cardRefresh: (job) => refreshIncidentCard(deps, job),
  };
}

/** The engine over SSH, with the inventory and playbooks of the configuration. */
export async function sshRunner(config: Config, executor: RemoteExecutor): Promise<PlaybookRunner> {
  const inventory = await loadInventory(config.inventoryPath);
  if (!inventory.inventory) throw new StartupError(inventory.errors);
  const { catalog, errors } = await yamlPlaybookCatalog(config.playbooksDir);
  if (errors.length > 0) throw new StartupError(errors);
  const loaded = inventory.inventory;
  return enginePlaybookRunner({
    executor,
    catalog,
    resolveHosts: (names) => resolveInventoryHosts(loaded, names),
    getService: (name) => findService(loaded, name) ?? null,
  });
}

export class StartupError extends Error {
  readonly code = "startup";
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

export function parseRole(argv: readonly string[]): Role {
  const i = argv.indexOf("--role");
  const value =
    i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith("--role="))?.slice(7) ?? "all");
  if (value === "all" || value === "bot" || value === "worker") return value;
  throw new StartupError([`--role: expected all, bot or worker, got "${value ?? ""}"`]);
}

/** Forwards to the real Chat once it exists (the Slack app needs the use cases first). */
class LateChat implements Chat {
  target: Chat | null = null;
  private get chat(): Chat {
    if (!this.target) throw Object.assign(new Error("chat not ready"), { retryable: true });
    return this.target;
  }
  createIncidentChannel: Chat["createIncidentChannel"] = (i) => this.chat.createIncidentChannel(i);
  postIncidentCard: Chat["postIncidentCard"] = (c, card) => this.chat.postIncidentCard(c, card);
  updateIncidentCard: Chat["updateIncidentCard"] = (r, card) =>
    this.chat.updateIncidentCard(r, card);
  postThreadReply: Chat["postThreadReply"] = (r, t, code) => this.chat.postThreadReply(r, t, code);
  postMessage: Chat["postMessage"] = (c, t) => this.chat.postMessage(c, t);
  postApprovalCard: Chat["postApprovalCard"] = (c, card) => this.chat.postApprovalCard(c, card);
  updateApprovalCard: Chat["updateApprovalCard"] = (r, card) =>
    this.chat.updateApprovalCard(r, card);
  uploadFile: Chat["uploadFile"] = (c, f) => this.chat.uploadFile(c, f);
  postEphemeral: Chat["postEphemeral"] = (c, u, t) => this.chat.postEphemeral(c, u, t);
  setTopic: Chat["setTopic"] = (c, t) => this.chat.setTopic(c, t);
}

async function main(argv: readonly string[]): Promise<void> {
  const role = parseRole(argv);
  const config = configFrom(environmentWithDotEnv(process.env));
  const logger = processLogger(config);
  const log = problemLog(logger);
  const token = config.slack.botToken;
  if (!token) {
    throw new StartupError([
      "SLACK_BOT_TOKEN: required to talk to Slack (or run `npx incident-bot shell` for a local chat)",
    ]);
  }
  const chat = new LateChat();
  const runtime = await startRuntime({ config, chat, log, workers: role !== "bot" });
  let slack: SlackApp | null = null;
  if (role === "worker") {
    // Workers only post to Slack; no receiver, so no signing secret needed. The client is
    // configured as the app's (retries, timeouts, base URL).
    const client = createSlackClient({
      botToken: token,
      logger: boltLogger(logger),
      onApiCall: runtime.metrics.slackApiCall,
      ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
    });
    chat.target = new SlackChat(client, { log });
  } else {
    // The chat side: Bolt's receiver and listeners call the use cases through the service.
    slack = createSlackApp({
      botToken: token,
      ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
      ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
      ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
      service: slackIncidentService(runtime.deps),
      logger: boltLogger(logger),
      onApiCall: runtime.metrics.slackApiCall,
      log,
    });
    chat.target = new SlackChat(slack.client, { log });
    await slack.start();
  }
  const server = await serve(config, runtime, slack, log, await knownHosts(config));
  logger.info(
    { role, slack: slack?.mode ?? "post-only", port: server?.port },
    "incident-bot started",
  );
  onShutdown(logger, async () => {
    await server?.close();
    await slack?.stop();
    await runtime.close();
  });
}

/**
 * The bot serves PORT; a worker alone serves /metrics (and /healthz) on METRICS_PORT when it is
 * set, and nothing otherwise.
 */
function serve(
  config: Config,
  runtime: Runtime,
  slack: SlackApp | null,
  log: Log,
  hosts: KnownHost[],
): Promise<HttpServer | null> {
  const common = [healthRoute(() => runtime.health()), metricsRoute(runtime.metrics.scrape)];
  if (slack) {
    const routes = [
      ...botRoutes(common, slack),
      ...alertRoutesOf(config, runtime, hosts, log),
      ...pageRoutesOf(config, runtime),
    ];
    return startHttpServer({ port: config.port, routes, log });
  }
  if (config.metricsPort === undefined) return Promise.resolve(null);
  return startHttpServer({ port: config.metricsPort, routes: common, log });
}

/** POST /alerts/alertmanager and /alerts/pagerduty, each answering 404 until configured. */
export function alertRoutesOf(
  config: Config,
  runtime: Runtime,
  hosts: readonly KnownHost[],
  log?: Log,
): HttpRoute[] {
  return alertRoutes({
    deps: {
      ...runtime.deps,
      alerts: runtime.alerts,
      knownHosts: hosts,
      defaultHosts: config.alerts.defaultHosts,
      storm: {
        limit: config.alerts.stormLimit,
        windowMs: config.alerts.stormWindowMinutes * 60_000,
      },
    },
    ...(config.alerts.webhookToken ? { alertmanagerToken: config.alerts.webhookToken } : {}),
    ...(config.alerts.pagerDutySecret ? { pagerDutySecret: config.alerts.pagerDutySecret } : {}),
    ...(log ? { log } : {}),
  });
}

/**
 * GET /incidents/<id> and /incidents, read-only, from the stores and the clock alone; none
 * without INCIDENT_PAGE_SECRET (then those paths answer 404 like any unknown path).
 */
export function pageRoutesOf(config: Config, runtime: Runtime): HttpRoute[] {
  const { secret, listToken, publicUrl } = config.page;
  if (!secret) return [];
  const { incidents, timeline, clock, settings } = runtime.deps;
  return incidentPageRoutes({
    read: { incidents, timeline, clock, settings },
    secret,
    ...(listToken ? { listToken } : {}),
    links: incidentPageLinks(publicUrl ?? "", secret),
  });
}

/** The inventory's hosts with their addresses, for matching alert labels. */
export async function knownHosts(config: Config): Promise<KnownHost[]> {
  const loaded = await loadInventory(config.inventoryPath);
  if (!loaded.inventory) throw new StartupError(loaded.errors);
  return Object.entries(loaded.inventory.hosts).map(([name, host]) => ({
    name,
    address: host.address,
  }));
}

/** What the bot serves on PORT, in HTTP and Socket Mode alike (Socket Mode has no /slack/events). */
function botRoutes(common: HttpRoute[], slack: SlackApp): HttpRoute[] {
  const routes = [...common];
  if (slack.requestListener)
    routes.push(listenerRoute("POST", "/slack/events", slack.requestListener));
  return routes;
}

function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ error: String(error) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/**
 * What to print when start-up fails. Problems an operator fixes (configuration, a refused token,
 * a broken inventory or playbook) are a plain list; anything else is a bug and keeps its stack.
 */
export function startupFailureText(error: unknown): string {
  const problems =
    error instanceof StartupError || error instanceof ConfigError
      ? error.problems
      : error instanceof SlackConfigError
        ? [error.message]
        : null;
  if (problems) return `incident-bot: cannot start\n${problems.map((p) => `  ${p}`).join("\n")}\n`;
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `incident-bot: cannot start\n${detail}\n`;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(startupFailureText(error));
    process.exit(1);
  });
}
