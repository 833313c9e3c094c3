import { createLogger, problemLog } from "../adapters/log";
import type { Readable, Writable } from "node:stream";
import { BOT_PREFIX, ShellChat } from "../adapters/shell/shell-chat";
import { shellBackend } from "../adapters/shell/shell-commands";
import { parseShellArgs } from "../adapters/shell/shell-args";
import { noRedisMessage, redisAnswers } from "../adapters/shell/redis-answers";
import { ShellRepl } from "../adapters/shell/shell-repl";
import { Terminal } from "../adapters/shell/terminal";
import type { LifecycleDeps } from "../app/lifecycle-deps";
import { environmentWithDotEnv, loadConfig, type Config } from "../config/env";
import { startRuntime } from "../main";
import type { Chat } from "../ports/chat";
import type { Subcommand } from "./io";

/** The bot side and the workers in this process, on the configured Redis, talking to `chat`. */
export interface ShellRuntime {
  deps: LifecycleDeps;
  /** Stops the workers and closes every Redis connection. */
  close(): Promise<void>;
}

export type StartShellRuntime = (input: {
  config: Config;
  chat: Chat;
  log: (message: string, details?: Record<string, unknown>) => void;
}) => Promise<ShellRuntime>;

export const shellUsage = "incident-bot shell [--user NAME] [--channel NAME]";

/** The `shell` subcommand: the terminal is this process's stdin and stdout. */
export const shell: Subcommand = (args, io) =>
  shellCommand(args, startRuntime, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: io.env,
  });

export interface ShellIo {
  stdin: Readable & { isTTY?: boolean; unref?: () => void };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: Record<string, string | undefined>;
}

/**
 * `incident-bot shell [--user NAME] [--channel NAME]`: the bot in a terminal, in the spirit of
 * Hubot's shell adapter. The same use cases, queue, workers and timeline as Slack run in this
 * process; only the Chat port is the terminal. Returns the exit status: 0 after EOF, /quit or
 * Ctrl-C; 1 when there is no Redis or the configuration is wrong; 2 for bad usage.
 */
export async function shellCommand(
  argv: readonly string[],
  startRuntime: StartShellRuntime,
  io: ShellIo = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  },
): Promise<number> {
  const parsed = parseShellArgs(argv);
  if (!parsed.ok) {
    io.stderr.write(`${parsed.error}\n`);
    return 2;
  }
  const loaded = loadConfig(environmentWithDotEnv(io.env));
  if (!loaded.ok) {
    io.stderr.write(`incident-bot shell: bad configuration\n${loaded.problems.join("\n")}\n`);
    return 1;
  }
  const { config } = loaded;
  if (!(await redisAnswers(config.redisUrl, 2000))) {
    io.stderr.write(`${noRedisMessage(config.redisUrl)}\n`);
    return 1;
  }

  const tty = Boolean(io.stdin.isTTY && io.stdout.isTTY);
  const terminal = new Terminal(io.stdin, io.stdout, tty);
  const session = { ...parsed.args };
  const holder: { repl?: ShellRepl } = {};
  const chat = new ShellChat(terminal, {
    currentUser: () => session.user,
    onChannelCreated: (channel) => holder.repl?.joined(channel),
    onApprovalCard: () => holder.repl?.approvalsChanged(),
  });
  // Engine logs go to stderr, pretty, so stdout stays the conversation (what tests and scripts read).
  const log = problemLog(
    createLogger({
      level: config.logLevel,
      output: { pretty: true, stream: io.stderr },
    }),
  );
  let runtime: ShellRuntime;
  try {
    runtime = await startRuntime({ config, chat, log });
  } catch (error) {
    // A missing inventory or a broken playbook: say what is wrong, as `npm start` would.
    const problems = (error as { problems?: unknown }).problems;
    const lines = Array.isArray(problems) ? problems.map(String) : [describe(error)];
    io.stderr.write(`incident-bot shell: cannot start\n${lines.join("\n")}\n`);
    terminal.close();
    return 1;
  }
  const repl = new ShellRepl(terminal, chat, shellBackend(runtime.deps), session);
  holder.repl = repl;

  const stop = (): void => repl.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  terminal.print(
    `${BOT_PREFIX} ready: you are ${session.user} in ${session.channel}; ` +
      "type /incident help, /help for the shell, /quit to leave",
  );
  try {
    await repl.run();
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
    terminal.print(`${BOT_PREFIX} bye`);
    await runtime.close();
    await terminal.flush();
    // Let the process end: readline leaves stdin referenced when it was a pipe.
    io.stdin.unref?.();
  }
  return 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
