import { subcommands } from "./commands";
import { EXIT_USAGE, UsageError, type CliIo } from "./io";

export function usage(): string {
  const lines = Object.values(subcommands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `usage:\n${lines.join("\n")}`;
}

/** Finds the subcommand, runs it, and turns usage mistakes into exit 2 with the usage text. */
export async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = subcommands[name];
  if (!command) {
    io.err(`incident-bot: unknown command "${name}"\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await (
      await command.load()
    )(args, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`incident-bot ${name}: ${(error as Error).message}\nusage: ${command.usage}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
