import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";

export const REPO = join(__dirname, "../..");

/**
 * Drives a child process that speaks in lines on stdin/stdout, as a person at the prompt would:
 * type a line, wait for the answer. Every wait reads forward from the line the previous wait
 * matched, so an answer is never mistaken for an earlier one. No sleeping: waits end on output.
 */
export class LineDriver {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  private cursor = 0;
  private readonly listeners = new Set<() => void>();
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    collect(child.stdout, this.lines, () => this.notify());
    collect(child.stderr, this.errors, () => this.notify());
    this.exited = new Promise((resolve) => child.on("close", (code) => resolve(code)));
    void this.exited.then(() => this.notify());
  }

  /** `detached`: its own process group, so a test can send Ctrl-C's SIGINT to all of it. */
  static start(
    command: string,
    args: string[],
    env: Record<string, string>,
    options: { detached?: boolean } = {},
  ): LineDriver {
    const child = spawn(command, args, {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: options.detached ?? false,
    });
    return new LineDriver(child);
  }

  /** What Ctrl-C does in a terminal: SIGINT to the whole foreground process group. */
  interruptGroup(): void {
    if (this.child.pid !== undefined) process.kill(-this.child.pid, "SIGINT");
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  end(): void {
    this.child.stdin.end();
  }

  /** The first line after the cursor that matches; fails with the transcript after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = this.cursor; i < this.lines.length; i++) {
          const line = this.lines[i] ?? "";
          if (pattern.test(line)) {
            this.cursor = i + 1;
            done();
            resolve(line);
            return true;
          }
        }
        return false;
      };
      const listener = (): void => {
        if (check()) return;
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`exited before ${pattern}\n${this.transcript()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`no line matched ${pattern} within ${timeoutMs} ms\n${this.transcript()}`),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      listener();
    });
  }

  transcript(): string {
    const tail = (lines: string[]) => lines.slice(-80).join("\n");
    return `--- stdout ---\n${tail(this.lines)}\n--- stderr ---\n${tail(this.errors)}`;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function collect(stream: NodeJS.ReadableStream, into: string[], onLine: () => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    into.push(...parts);
    onLine();
  });
  stream.on("end", () => {
    if (buffered) into.push(buffered);
    onLine();
  });
}
