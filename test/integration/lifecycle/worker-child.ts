import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface WorkerChild {
  process: ChildProcess;
  /** Everything the child wrote to stderr (for failure messages). */
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts worker-process.ts in a fresh `node` and resolves once its workers are ready. */
export async function startWorkerChild(env: Record<string, string>): Promise<WorkerChild> {
  const child = spawn(
    process.execPath,
    ["-r", join(__dirname, "register-ts.cjs"), join(__dirname, "worker-process.ts")],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready in 20 s: ${err}`)), 20_000);
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${err}`));
    });
  });
  return {
    process: child,
    stderr: () => err,
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      }),
  };
}
