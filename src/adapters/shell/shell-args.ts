import { userInfo } from "node:os";

export interface ShellArgs {
  user: string;
  channel: string;
}

export type ParsedShellArgs = { ok: true; args: ShellArgs } | { ok: false; error: string };

export const SHELL_USAGE = "usage: incident-bot shell [--user NAME] [--channel NAME]";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** `--user U123 --channel ops` (also `--user=U123`); who you are defaults to your login name. */
export function parseShellArgs(argv: readonly string[]): ParsedShellArgs {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const match = /^--(user|channel)(?:=(.*))?$/.exec(arg);
    if (!match) return { ok: false, error: `unexpected argument ${arg}\n${SHELL_USAGE}` };
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === "") {
      return { ok: false, error: `--${match[1]} needs a value\n${SHELL_USAGE}` };
    }
    values[match[1] ?? ""] = value;
  }
  const user = values.user ?? defaultUser();
  const channel = (values.channel ?? "ops").replace(/^#/, "");
  if (!NAME.test(user)) return { ok: false, error: `--user: ${user} is not a user name` };
  if (!NAME.test(channel))
    return { ok: false, error: `--channel: ${channel} is not a channel name` };
  return { ok: true, args: { user, channel: `#${channel}` } };
}

function defaultUser(): string {
  try {
    const name = userInfo().username;
    return NAME.test(name) ? name : "me";
  } catch {
    // No passwd entry (some containers): any name will do for a local chat.
    return "me";
  }
}
