import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FakeSlack } from "../test/fakes/fake-slack";
import { postSlashCommand } from "../test/support/slack-signing";

/** The repository: two levels up from dist/bench, one from bench/ (when a test imports this). */
const root = existsSync(join(__dirname, "../package.json"))
  ? resolve(__dirname, "..")
  : resolve(__dirname, "../..");

export interface BotProcess {
  child: ChildProcess;
  /** What the bot wrote on stderr, for the error message when it dies. */
  errors: string[];
  /** Its log: what it wrote on stdout (JSON lines), when started with `captureStdout`. */
  stdout: string[];
  stop(): Promise<void>;
}

/** `npm start` as an operator runs it, pointed at the fake Slack, a private Redis and an inventory. */
export function startBotProcess(input: {
  slack: FakeSlack;
  signingSecret: string;
  redisUrl: string;
  port: number;
  inventoryPath: string;
  /** Added to (or overriding) the environment below. */
  env?: Record<string, string>;
  /** Keep what the bot writes on stdout; default: discarded, as a benchmark does not read it. */
  captureStdout?: boolean;
  /** Default: `all`, as `npm start`. */
  role?: "all" | "bot" | "worker";
}): BotProcess {
  // BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=…" profiles the bot under a bench.
  const nodeArgs = process.env.BENCH_BOT_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const args = [
    ...nodeArgs,
    join(root, "dist/src/main.js"),
    ...(input.role ? ["--role", input.role] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", input.captureStdout ? "pipe" : "ignore", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: input.slack.token,
      SLACK_SIGNING_SECRET: input.signingSecret,
      SLACK_API_URL: input.slack.apiUrl,
      PORT: String(input.port),
      REDIS_URL: input.redisUrl,
      INVENTORY: input.inventoryPath,
      PLAYBOOKS_DIR: join(root, "playbooks"),
      ...input.env,
    },
  });
  const errors: string[] = [];
  const stdout: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => errors.push(chunk.toString()));
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGTERM");
    // A bot that does not shut down must not outlive the benchmark.
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, errors, stdout, stop };
}

/** Polls with a signed `/incident help` until Bolt answers, or the bot dies, or 30 s pass. */
export async function waitUntilListening(
  url: string,
  bot: BotProcess,
  signingSecret: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (bot.child.exitCode !== null) {
      const said = bot.errors.join("").slice(-2000);
      throw new Error(`the bot exited with ${bot.child.exitCode}: ${said}`);
    }
    const command = {
      text: "help",
      user_id: "UBENCH",
      channel_id: "CBENCH",
      response_url: "http://127.0.0.1:9/",
    };
    const answered = await postSlashCommand(url, command, { secret: signingSecret }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (answered) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error("the bot did not answer on /slack/events within 30 s");
}
