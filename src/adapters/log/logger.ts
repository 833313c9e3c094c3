import type { Writable } from "node:stream";
import pino, { type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { REDACT_PATHS, REDACTED, redactValue } from "./redact";

export type { Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LoggerSettings {
  /** LOG_LEVEL. */
  level: LogLevelName;
  /** Values that must never appear in a line (the configured tokens and secrets). */
  secrets?: readonly string[];
  /** Default: JSON lines on stdout. `pretty` writes pino-pretty's coloured lines to `stream`. */
  output?: { pretty: boolean; stream: Writable } | { json: Writable };
}

/**
 * The process's logger: one JSON object per line (`level`, `time`, `msg`, fields). Secret fields
 * are removed by path, and every string argument goes through a value guard, so a Slack token in
 * an error message is blanked too.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const secrets = settings.secrets ?? [];
  const options: LoggerOptions = {
    level: settings.level,
    base: { pid: process.pid },
    // Level names, not numbers: what people grep for.
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        const safe = args.map((arg) => redactValue(arg, secrets)) as Parameters<typeof method>;
        method.apply(this, safe);
      },
    },
  };
  const output = settings.output;
  // Synchronous writes: a line logged just before process.exit() is not lost.
  if (!output) return pino(options, pino.destination({ dest: 1, sync: true }));
  if ("json" in output) return pino(options, output.json);
  if (!output.pretty) return pino(options, output.stream);
  return pino(options, pretty({ destination: output.stream, colorize: false, sync: true }));
}

/**
 * The `(message, details)` function the use cases and adapters take: they report only what went
 * wrong, so these are warnings. Well-known ids become the bindings every line of an incident
 * carries (`incident`, `run`, `host`, `job`), through a child logger.
 */
export function problemLog(logger: Logger) {
  return (message: string, details: Record<string, unknown> = {}): void => {
    const { bindings, rest } = splitBindings(details);
    (Object.keys(bindings).length > 0 ? logger.child(bindings) : logger).warn(rest, message);
  };
}

const BINDING_NAMES: Record<string, string> = {
  incidentId: "incident",
  incident: "incident",
  runId: "run",
  run: "run",
  host: "host",
  jobId: "job",
  job: "job",
};

function splitBindings(details: Record<string, unknown>) {
  const bindings: Record<string, string> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    const binding = BINDING_NAMES[key];
    if (binding && typeof value === "string") bindings[binding] = value;
    else rest[key] = value;
  }
  return { bindings, rest };
}
