import { execFileSync } from "node:child_process";

/**
 * Makes sure `command` is on the machine, installing Debian's `pkg` when it is not (the benches
 * run tools beside the bot that the tests do not need). False when it still is not there.
 */
export function ensureDebianCommand(command: string, pkg: string): boolean {
  if (hasCommand(command)) return true;
  process.stderr.write(`installing ${pkg} for the benchmark…\n`);
  try {
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", pkg], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    process.stderr.write(`  ${pkg} could not be installed: ${String(error)}\n`);
  }
  return hasCommand(command);
}

function hasCommand(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
