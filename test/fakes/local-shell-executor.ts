import { spawn } from "node:child_process";
import type {
  CommandOutcome,
  CommandRequest,
  RemoteExecutor,
  RemoteSession,
} from "../../src/ports/remote-executor";

/**
 * A RemoteExecutor that runs each command with `sh -c` on this machine: real processes, real
 * files, real slowness, without sshd. Lifecycle tests use it to make a step slow or to count how
 * often a host-changing command ran (a line appended to a file).
 */
export class LocalShellExecutor implements RemoteExecutor {
  async connect(): Promise<RemoteSession> {
    return { run: (request) => runLocally(request), close: async () => undefined };
  }
}

function runLocally(request: CommandRequest): Promise<CommandOutcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", request.command], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, request.timeoutMs);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const cap = request.maxOutputBytes;
      resolve({
        exitCode: timedOut ? null : code,
        stdout: stdout.slice(0, cap),
        stderr: stderr.slice(0, cap),
        truncated: stdout.length > cap || stderr.length > cap,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}
