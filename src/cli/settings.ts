import { environmentWithDotEnv, loadConfig, type Config } from "../config/env";
import { UsageError, type CliIo } from "./io";

/** The configuration the CLI runs with (environment over `.env`), or a usage error listing all problems. */
export function cliConfig(io: CliIo): Config {
  const result = loadConfig(environmentWithDotEnv(io.env));
  if (!result.ok) throw new UsageError(`bad configuration:\n  ${result.problems.join("\n  ")}`);
  return result.config;
}
