import { readFileSync, writeFileSync } from "node:fs";
import { format } from "prettier";

/** Small helpers shared by the logs and declare benchmarks (statistics, BENCHMARKS.md sections). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function minMax(values: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Milliseconds as "123 ms" or "1.23 s". */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

/** "median (min–max)" of milliseconds. */
export function spreadMs(values: readonly number[]): string {
  const { min, max } = minMax(values);
  return `${ms(median(values))} (${ms(min)}–${ms(max)})`;
}

export function bytes(value: number): string {
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value} B`;
}

/**
 * Replaces the section that starts with the line `heading` (up to the next "## " heading) in
 * BENCHMARKS.md, or appends it; other sections are left as they are. The section is formatted
 * as `prettier --check` expects (aligned tables).
 */
export async function writeSection(path: string, heading: string, section: string): Promise<void> {
  const formatted = (await format(section, { parser: "markdown", printWidth: 100 })).trimEnd();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    text = "# Benchmarks\n";
  }
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line === heading);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${formatted}\n`);
    return;
  }
  let end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  if (end < 0) end = lines.length;
  const after = lines.slice(end).join("\n");
  const before = lines.slice(0, start).join("\n");
  writeFileSync(path, `${before}\n${formatted}\n${after ? `\n${after}` : ""}`);
}

/**
 * Cleanups that run on the normal path and on SIGINT/SIGTERM (then the process exits 130/143),
 * so an interrupted bench leaves no lab, Redis or bot behind.
 */
export class Cleanup {
  private readonly tasks: Array<() => Promise<void> | void> = [];
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${signal}, cleaning up…\n`);
    void this.run().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };

  constructor() {
    process.once("SIGINT", this.onSignal).once("SIGTERM", this.onSignal);
  }

  add(task: () => Promise<void> | void): void {
    this.tasks.push(task);
  }

  /** Runs the cleanups newest first, each once; errors are reported, not thrown. */
  async run(): Promise<void> {
    process.off("SIGINT", this.onSignal).off("SIGTERM", this.onSignal);
    while (this.tasks.length > 0) {
      const task = this.tasks.pop();
      try {
        await task?.();
      } catch (error) {
        process.stderr.write(`bench cleanup: ${String(error)}\n`);
      }
    }
  }
}
