import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { terminalText } from "./plain-text";
import type { ShellOutput } from "./shell-chat";

/**
 * Lines in, lines out. On a TTY it is readline with a prompt that survives the bot talking over it;
 * on piped stdin (tests, scripts) there is no prompt and no echo, only the output lines.
 */
export class Terminal implements ShellOutput {
  private readonly rl: Interface;
  private readonly printed: string[] = [];
  private readonly waiters = new Set<() => void>();
  /** Input ended (EOF): lines already typed are still read, and /wait still waits. */
  private closed = false;
  /** close() was called (Ctrl-C, /quit): reading and waiting end at once. */
  private stopped = false;
  /** Lines typed before anyone asked for them (a piped script arrives all at once). */
  private readonly typed: string[] = [];
  private wakeReader: (() => void) | null = null;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly tty: boolean,
  ) {
    this.rl = createInterface({ input, output: tty ? output : undefined, terminal: tty });
    // Listening from the start: lines piped in while the engine starts up must not be lost.
    this.rl.on("line", (line) => {
      this.typed.push(line);
      this.wakeReader?.();
    });
    this.rl.on("close", () => {
      this.closed = true;
      this.wakeReader?.();
    });
  }

  /** Prints one line of text; its control characters are dropped (see terminalText). */
  print(text: string): void {
    const line = terminalText(text);
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

  /** The next line typed, or null after EOF or close(); lines typed before EOF are still read. */
  async nextLine(): Promise<string | null> {
    for (;;) {
      const line = this.typed.shift();
      if (line !== undefined) return line;
      if (this.closed) return null;
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
      this.wakeReader = null;
    }
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
        if (!check() && this.stopped) finish(null);
      };
      const finish = (result: number | null): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(result);
      };
      if (!check()) {
        if (this.stopped) finish(null);
        else this.waiters.add(wake);
      }
    });
  }

  /** Ends reading at once: lines typed but not yet read are dropped (Ctrl-C, /quit). */
  close(): void {
    this.typed.length = 0;
    this.stopped = true;
    if (!this.closed) this.rl.close();
    this.closed = true;
    this.wakeReader?.();
    for (const wake of this.waiters) wake();
  }

  /** Resolves once everything written so far has reached the output (pipes write late). */
  flush(): Promise<void> {
    return new Promise((resolve) => this.output.write("", () => resolve()));
  }
}
