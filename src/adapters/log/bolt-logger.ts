import type { Logger as SlackLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "pino";

/**
 * The Logger interface Bolt and its Web API and Socket Mode clients accept (`logger` option):
 * their messages become lines of our log, under `component: "slack"`. Bolt calls setLevel with
 * its own `logLevel`; LOG_LEVEL (the pino logger's level) is what filters, so setLevel and
 * getLevel only keep Bolt's idea of it.
 */
export function boltLogger(parent: Logger): SlackLogger {
  let logger = parent.child({ component: "slack" });
  let level = "info" as LogLevel;
  const text = (messages: unknown[]) =>
    messages.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  return {
    debug: (...messages: unknown[]) => logger.debug(text(messages)),
    info: (...messages: unknown[]) => logger.info(text(messages)),
    warn: (...messages: unknown[]) => logger.warn(text(messages)),
    error: (...messages: unknown[]) => logger.error(text(messages)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (name: string) => {
      logger = parent.child({ component: "slack", name });
    },
  };
}
