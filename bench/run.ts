import { runFanout } from "./fanout/fanout";
import { runLifecycleBench } from "./lifecycle";
import { runChatBench } from "./slack";

/**
 * `npm run bench [-- fanout] [--sizes 1,10,30] [--runs 5] [--fleet apache|mixed]`: one entry for every benchmark; each
 * prints a markdown table for BENCHMARKS.md.
 */
const benchmarks: Record<string, (args: Map<string, string>) => Promise<string>> = {
  fanout: (args) =>
    runFanout({
      sizes: (args.get("sizes") ?? "1,10,30").split(",").map(Number),
      runs: Number(args.get("runs") ?? "5"),
      fleet: args.get("fleet") === "mixed" ? "mixed" : "apache",
    }),
  lifecycle: (args) => runLifecycleBench(args),
  chat: (args) => runChatBench(args),
  logs: async (args) => (await import("./logs/index.js")).runLogsBench(args),
  declare: async (args) => (await import("./declare/index.js")).runDeclareBench(args),
  alerts: async (args) => (await import("./alerts/index.js")).runAlertBench(args),
  triage: async (args) => (await import("./triage/index.js")).runTriageBench(args),
  page: async (args) => (await import("./page/index.js")).runPageBench(args),
};

async function main(argv: string[]): Promise<void> {
  const names = argv.filter((arg) => !arg.startsWith("--") && !/^[0-9,]+$/.test(arg));
  const args = new Map<string, string>();
  argv.forEach((arg, i) => {
    if (arg.startsWith("--")) args.set(arg.slice(2), argv[i + 1] ?? "");
  });
  const chosen = names.length ? names : Object.keys(benchmarks);
  for (const name of chosen) {
    const bench = benchmarks[name];
    if (!bench)
      throw new Error(`unknown benchmark "${name}" (known: ${Object.keys(benchmarks).join(", ")})`);
    process.stdout.write(`${await bench(args)}\n`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
