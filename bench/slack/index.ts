import { mkdirSync, writeFileSync } from "node:fs";
import {
  ackBenchMarkdown,
  DEFAULT_ACK_BENCH,
  runAckBench,
  type AckBenchOptions,
} from "./ack-bench";

/**
 * The chat benchmarks, for `npm run bench -- chat [--commands 200] [--concurrency 50] [--runs 5]`
 * (bench/run.ts calls `runChatBench`) or alone with `npm run bench:chat`. Prints the table and writes it to bench/results/chat.md.
 */
export async function runChatBench(args: Map<string, string> = new Map()): Promise<string> {
  const number = (name: string, fallback: number) => Number(args.get(name) ?? fallback);
  const options: AckBenchOptions = {
    commandsPerRun: number("commands", DEFAULT_ACK_BENCH.commandsPerRun),
    concurrency: number("concurrency", DEFAULT_ACK_BENCH.concurrency),
    runs: number("runs", DEFAULT_ACK_BENCH.runs),
    warmup: number("warmup", DEFAULT_ACK_BENCH.warmup),
  };
  const result = await runAckBench(options);
  const markdown = ackBenchMarkdown(result);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/chat.md", markdown);
  writeFileSync("bench/results/chat.json", JSON.stringify(result, null, 2));
  return markdown;
}

if (require.main === module) {
  runChatBench().then(
    (markdown) => process.stdout.write(`${markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`chat bench failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
