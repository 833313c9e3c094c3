import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import {
  DEFAULT_REMINDERS_BY_SEVERITY,
  ReminderIntervals,
  type RemindersBySeverity,
} from "../domain/phase-clock";
import { Severity } from "../domain/severity";

/**
 * The environment of the external contract (CONTRACT.md, "Configuration"). The only module that
 * interprets environment variables; callers pass `process.env` (plus a `.env` file) in.
 */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

const idList = z
  .string()
  .default("")
  .transform((value) =>
    value
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
  );

const positiveInt = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .pipe(z.string().regex(/^[0-9]+$/, "a whole number"))
    .transform(Number)
    .pipe(z.number().int().positive());

/**
 * INCIDENT_REMINDERS: `sev1=5/15/60,sev3=15/30/120`, minutes between status reminders in the
 * immediate, short-term and long-term phases, per severity; a severity not named keeps the
 * runbook's 5/15/60.
 */
const reminders = z
  .string()
  .default("")
  .transform((value, context): RemindersBySeverity => {
    const result: RemindersBySeverity = { ...DEFAULT_REMINDERS_BY_SEVERITY };
    for (const part of value
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "")) {
      const match = /^(\w+)=(\d+)\/(\d+)\/(\d+)$/.exec(part);
      const severity = Severity.safeParse(match?.[1]);
      const intervals = ReminderIntervals.safeParse({
        immediate: Number(match?.[2]),
        "short-term": Number(match?.[3]),
        "long-term": Number(match?.[4]),
      });
      if (!severity.success || !intervals.success) {
        context.addIssue({
          code: "custom",
          message: `\`${part.slice(0, 40)}\`: expected SEVERITY=IMMEDIATE/SHORT/LONG minutes, like sev1=5/15/60`,
        });
        continue;
      }
      result[severity.data] = intervals.data;
    }
    return result;
  });

export const EnvSchema = z.object({
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText.pipe(z.url().optional()),
  PORT: positiveInt(3000).pipe(z.number().max(65535)),
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .pipe(z.url().refine((u) => /^rediss?:\/\//.test(u), "a redis:// or rediss:// URL")),
  /**
   * The Redis key prefix and BullMQ prefix of one deployment, so two deployments (or a demo beside
   * a real one) can share a Redis without meeting each other's incidents or jobs.
   */
  REDIS_PREFIX: z
    .string()
    .default("incident-bot")
    .pipe(
      z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
          "letters, digits, '.', '_' and '-' (no ':', which separates Redis key parts)",
        ),
    ),
  INVENTORY: z.string().min(1).default("./inventory.yml"),
  PLAYBOOKS_DIR: z.string().min(1).default("./playbooks"),
  INCIDENT_RESPONDERS: idList,
  INCIDENT_APPROVERS: idList,
  /** How many distinct allowed approvers a remediation needs (the requester never counts). */
  INCIDENT_APPROVALS_REQUIRED: positiveInt(1).pipe(z.number().max(10)),
  /** Who may declare with hosts:, run, resolve and set the commander; empty: everyone. */
  INCIDENT_OPERATORS: idList,
  PHASE_MINUTE_MS: positiveInt(60_000),
  INCIDENT_REMINDERS: reminders,
  /** `start:worker` only: serve /metrics and /healthz on this port (unset: no port at all). */
  METRICS_PORT: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9]+$/, "a whole number")
      .transform(Number)
      .pipe(z.number().int().positive().max(65535))
      .optional(),
  ),
  /** Bearer token Alertmanager sends to POST /alerts/alertmanager (unset: the route is off). */
  ALERT_WEBHOOK_TOKEN: optionalText,
  /** PagerDuty v3 webhook subscription secret for POST /alerts/pagerduty (unset: off). */
  PAGERDUTY_WEBHOOK_SECRET: optionalText,
  /** Hosts or groups an alert runs on when none of its instance/host labels is in the inventory. */
  ALERT_DEFAULT_HOSTS: idList,
  /** Alert-declared incidents allowed per storm window before new alerts are attached instead. */
  ALERT_STORM_LIMIT: positiveInt(5),
  ALERT_STORM_WINDOW_MINUTES: positiveInt(10),
  /** The bot's public base URL: the incident card and the resolve message link to its page. */
  PUBLIC_URL: optionalText.pipe(
    z
      .url()
      .refine((u) => /^https?:\/\//i.test(u), "an http:// or https:// URL")
      .transform((u) => u.replace(/\/+$/, ""))
      .optional(),
  ),
  /** Key of the per-incident page credentials (HMAC-SHA256 of the incident id). */
  INCIDENT_PAGE_SECRET: optionalText.pipe(
    z.string().min(32, "at least 32 characters (e.g. `openssl rand -hex 32`)").optional(),
  ),
  /** Bearer token of GET /incidents, the list of open and recent incidents (unset: no list). */
  INCIDENT_LIST_TOKEN: optionalText.pipe(
    z.string().min(16, "at least 16 characters (e.g. `openssl rand -hex 32`)").optional(),
  ),
  /** `off`: the command line neither reads nor writes its cache of validated files. */
  INCIDENT_BOT_CACHE: z
    .string()
    .default("on")
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(["on", "off"])),
  /** Where that cache lives, over the XDG default below. */
  INCIDENT_BOT_CACHE_DIR: optionalText,
  XDG_CACHE_HOME: optionalText,
  HOME: optionalText,
  /** pino's level names; `silent` turns logging off. */
  LOG_LEVEL: z
    .string()
    .default("info")
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
});

export interface Config {
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  port: number;
  redisUrl: string;
  /** REDIS_PREFIX: keys and queues of this deployment. */
  redisPrefix: string;
  inventoryPath: string;
  playbooksDir: string;
  responders: string[];
  approvers: string[];
  /** INCIDENT_APPROVALS_REQUIRED: distinct approvers per remediation. */
  approvalsRequired: number;
  /** INCIDENT_OPERATORS: empty means everyone may operate. */
  operators: string[];
  phaseMinuteMs: number;
  /** INCIDENT_REMINDERS: the status reminder cadence per severity. */
  reminders: RemindersBySeverity;
  alerts: {
    /** ALERT_WEBHOOK_TOKEN. */
    webhookToken: string | undefined;
    /** PAGERDUTY_WEBHOOK_SECRET. */
    pagerDutySecret: string | undefined;
    /** ALERT_DEFAULT_HOSTS. */
    defaultHosts: string[];
    /** ALERT_STORM_LIMIT: alert-declared incidents per window before attaching. */
    stormLimit: number;
    /** ALERT_STORM_WINDOW_MINUTES. */
    stormWindowMinutes: number;
  };
  page: {
    /** PUBLIC_URL without a trailing slash. */
    publicUrl: string | undefined;
    /** INCIDENT_PAGE_SECRET: unset, no incident page is served. */
    secret: string | undefined;
    /** INCIDENT_LIST_TOKEN: unset, GET /incidents answers 404. */
    listToken: string | undefined;
  };
  /** METRICS_PORT: where a worker-only process serves /metrics. */
  metricsPort: number | undefined;
  /** LOG_LEVEL. */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * The command line's cache of validated playbook and inventory files: INCIDENT_BOT_CACHE_DIR,
   * else `$XDG_CACHE_HOME/incident-bot`, else `~/.cache/incident-bot`; null with INCIDENT_BOT_CACHE=off.
   */
  cacheDir: string | null;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Typed configuration, or every problem at once (`PORT: a whole number`). */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.map(String).join(".") || "environment"}: ${issue.message}`,
    );
    return { ok: false, problems };
  }
  const e = result.data;
  if (e.PUBLIC_URL && !e.INCIDENT_PAGE_SECRET) {
    return {
      ok: false,
      problems: ["INCIDENT_PAGE_SECRET: required with PUBLIC_URL (it keys the incident links)"],
    };
  }
  return {
    ok: true,
    config: {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
      },
      port: e.PORT,
      redisUrl: e.REDIS_URL,
      redisPrefix: e.REDIS_PREFIX,
      inventoryPath: e.INVENTORY,
      playbooksDir: e.PLAYBOOKS_DIR,
      responders: e.INCIDENT_RESPONDERS,
      approvers: e.INCIDENT_APPROVERS,
      approvalsRequired: e.INCIDENT_APPROVALS_REQUIRED,
      operators: e.INCIDENT_OPERATORS,
      phaseMinuteMs: e.PHASE_MINUTE_MS,
      reminders: e.INCIDENT_REMINDERS,
      alerts: {
        webhookToken: e.ALERT_WEBHOOK_TOKEN,
        pagerDutySecret: e.PAGERDUTY_WEBHOOK_SECRET,
        defaultHosts: e.ALERT_DEFAULT_HOSTS,
        stormLimit: e.ALERT_STORM_LIMIT,
        stormWindowMinutes: e.ALERT_STORM_WINDOW_MINUTES,
      },
      page: {
        publicUrl: e.PUBLIC_URL,
        secret: e.INCIDENT_PAGE_SECRET,
        listToken: e.INCIDENT_LIST_TOKEN,
      },
      metricsPort: e.METRICS_PORT,
      logLevel: e.LOG_LEVEL,
      cacheDir: cacheDirectory(e),
    },
  };
}

function cacheDirectory(e: z.infer<typeof EnvSchema>): string | null {
  if (e.INCIDENT_BOT_CACHE === "off") return null;
  if (e.INCIDENT_BOT_CACHE_DIR) return resolve(e.INCIDENT_BOT_CACHE_DIR);
  // The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and to be ignored.
  const xdg = e.XDG_CACHE_HOME && isAbsolute(e.XDG_CACHE_HOME) ? e.XDG_CACHE_HOME : undefined;
  return join(xdg ?? join(e.HOME ?? homedir(), ".cache"), "incident-bot");
}

/** Bad configuration: every problem, one `VARIABLE: message` line each. */
export class ConfigError extends Error {
  readonly code = "config";
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(`bad configuration\n${problems.join("\n")}`);
    this.name = "ConfigError";
  }
}

/** loadConfig for callers that build their own environment (tests, benches): throws ConfigError. */
export function configFrom(env: Record<string, string | undefined>): Config {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new ConfigError(loaded.problems);
  return loaded.config;
}

/**
 * `KEY=value` lines of a .env file: `#` comments, optional `export `, single or double quotes
 * (double quotes understand \n). Lines that are not assignments are ignored.
 */
export function parseDotEnv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const key = match[1] ?? "";
    values[key] = unquote(match[2] ?? "");
  }
  return values;
}

function unquote(raw: string): string {
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw.slice(1, -1).replace(/\\n/g, "\n").replace(/\\"/g, '"');
  }
  return raw.replace(/\s+#.*$/, "");
}

/**
 * The environment with a `.env` file's values underneath: variables already set win, as with
 * every dotenv tool. A missing file is normal; an unreadable one is reported by the caller.
 */
export function environmentWithDotEnv(
  env: Record<string, string | undefined>,
  path = ".env",
): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return env;
    throw error;
  }
  return { ...parseDotEnv(text), ...env };
}
