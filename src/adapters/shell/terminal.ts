import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { ShellOutput } from "./shell-chat";

/**
 * Lines in, lines out. On a TTY it is readline with a prompt that survives the bot talking over it;
 * on piped stdin (tests, scripts) there is no prompt and no echo, only the output lines.
 */
export class Terminal implements ShellOutput {
  private readonly rl: Interface;
  private readonly printed: string[] = [];
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly tty: boolean,
  ) {
    this.rl = createInterface({ input, output: tty ? output : undefined, terminal: tty });
    this.rl.on("close", () => {
      this.closed = true;
    });
  }

  print(line: string): void {
    if (this.closed) {
      this.output.write(`${line}\n`);
    } else if (this.tty) {
      // Clear the half-typed prompt line, print above it, then redraw what the user was typing.
      this.output.write(`\r\x1b[K${line}\n`);
      this.rl.prompt(true);
    } else {
      this.output.write(`${line}\n`);
    }
    this.printed.push(line);
    for (const wake of this.waiters) wake();
  }

  setPrompt(prompt: string): void {
    this.rl.setPrompt(prompt);
    if (this.tty && !this.closed) this.rl.prompt(true);
  }

  /** Every line typed, in order, until EOF or close(). */
  lines(): AsyncIterableIterator<string> {
    return this.rl[Symbol.asyncIterator]();
  }

  onInterrupt(handler: () => void): void {
    this.rl.on("SIGINT", handler);
  }

  /** How many lines have been printed so far: a cursor for waitFor(). */
  mark(): number {
    return this.printed.length;
  }

  /**
   * Resolves with the cursor just after the first line from `from` on that `matches`, or
   * null when `timeoutMs` passes first. Scripts use it (`/wait`) instead of sleeping and hoping.
   */
  waitFor(
    matches: (line: string) => boolean,
    from: number,
    timeoutMs: number,
  ): Promise<number | null> {
    return new Promise((resolve) => {
      let scanned = from;
      const check = (): boolean => {
        for (; scanned < this.printed.length; scanned++) {
          const line = this.printed[scanned];
          if (line !== undefined && matches(line)) {
            finish(scanned + 1);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      // Closing the terminal (Ctrl-C, /quit) ends every wait at once.
      const wake = (): void => {
        if (!check() && this.closed) finish(null);
      };
      const finish = (result: number | null): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(result);
      };
      if (!check()) {
        if (this.closed) finish(null);
        else this.waiters.add(wake);
      }
    });
  }

  close(): void {
    if (!this.closed) this.rl.close();
    this.closed = true;
    for (const wake of this.waiters) wake();
  }

  /** Resolves once everything written so far has reached the output (pipes write late). */
  flush(): Promise<void> {
    return new Promise((resolve) => this.output.write("", () => resolve()));
  }
}
