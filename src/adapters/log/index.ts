/** The log adapter: pino, redaction, and the shapes other libraries' loggers take. */
export { createLogger, problemLog, LOG_LEVELS, type Logger, type LogLevelName } from "./logger";
export { boltLogger } from "./bolt-logger";
