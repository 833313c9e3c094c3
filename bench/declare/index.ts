import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import Redis from "ioredis";
import { up, type Lab } from "../../test/lab/lab";
import { startFakeSlack, type FakeSlack, type RecordedCall } from "../../test/fakes/fake-slack";
import { freePort } from "../../test/support/free-port";
import { startPrivateRedis } from "../../test/support/redis-server";
import { postSlashCommand } from "../../test/support/slack-signing";
import { startBotProcess, waitUntilListening } from "../bot-process";
import { Cleanup, median, ms, spreadMs, writeSection } from "../logs/report";

/**
 * "Declare → diagnosis posted, in the lab with one broken host" (BENCHMARKS-GUIDE.md, Chat side).
 * The real bot process (`npm start`: Bolt's HTTP receiver, the use cases, BullMQ workers, the SSH
 * executor) on a private redis-server, talking to the fake Slack Web API over loopback HTTP; a
 * 3-host lab with proxy-2's upstream stopped. Each incident is a signed `/incident declare … hosts:lab`
 * request; the times are read from the fake's record of Web API calls: when the pinned card first
 * listed the checklist, and when the diagnosis message was posted. The baseline, alternated with
 * the incidents, is `incident-bot run apache-502 --hosts lab --json` as a whole process on the same
 * lab: the difference is what the queue, Redis and the Slack path add.
 * `npm run build && npm run bench -- declare [--runs 5]`.
 */
const root = resolve(__dirname, "../../..");
const SECRET = "bench-declare-signing-secret";
const HEADING = "## Declare → diagnosis";
const TIMEOUT_MS = 180_000;

interface Incident {
  ackMs: number;
  checklistMs: number;
  diagnosisMs: number;
  /** When the diagnosis event entered the incident's timeline (a Redis stream id's time). */
  recordedMs: number;
  diagnosis: string;
}

interface CliRun {
  wallMs: number;
  code: number | null;
  diagnosis: string;
}

export async function runDeclareBench(args: Map<string, string> = new Map()): Promise<string> {
  const runs = Number(args.get("runs") ?? "5");
  const loadBefore = loadavg()[0] ?? 0;
  const cleanup = new Cleanup();
  try {
    const lab = await up(3);
    cleanup.add(() => lab.down());
    await lab.break("proxy-2", "upstream-stopped");
    const redis = await startPrivateRedis();
    cleanup.add(() => redis.stop());
    const slack = await startFakeSlack();
    cleanup.add(() => slack.stop());
    const port = await freePort();
    const bot = startBotProcess({
      slack,
      signingSecret: SECRET,
      redisUrl: redis.url,
      port,
      inventoryPath: lab.inventoryPath,
    });
    cleanup.add(() => bot.stop());
    const url = `http://127.0.0.1:${port}/slack/events`;
    const reader = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await reader.connect();
    cleanup.add(() => reader.disconnect());
    await waitUntilListening(url, bot, SECRET);

    const incidents: Incident[] = [];
    const cli: CliRun[] = [];
    for (let i = 0; i <= runs; i++) {
      const incident = await declare(slack, reader, url, i);
      const baseline = await runCli(lab);
      if (i === 0) continue; // warm-up
      incidents.push(incident);
      cli.push(baseline);
      process.stderr.write(
        `  incident ${i}: ack ${ms(incident.ackMs)}, checklist ${ms(incident.checklistMs)}, ` +
          `recorded ${ms(incident.recordedMs)}, diagnosis ${ms(incident.diagnosisMs)} (${incident.diagnosis}); cli ${ms(baseline.wallMs)}\n`,
      );
    }
    const markdown = render(incidents, cli, runs, loadBefore, loadavg()[0] ?? 0);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/declare.md", markdown);
    await writeSection("BENCHMARKS.md", HEADING, markdown);
    return markdown;
  } finally {
    await cleanup.run();
  }
}

/** One incident: the signed declare, then the fake's record of the card and the diagnosis. */
async function declare(slack: FakeSlack, reader: Redis, url: string, n: number): Promise<Incident> {
  const known = new Set(slack.state.channels.keys());
  const callsBefore = slack.calls.length;
  const sentAt = Date.now();
  const response = await postSlashCommand(
    url,
    {
      text: `declare bench declare ${n} sev2 hosts:lab`,
      user_id: "UBENCH",
      channel_id: "COPS",
      response_url: slack.responseUrl(),
    },
    { secret: SECRET },
  );
  if (response.status !== 200) throw new Error(`declare answered ${response.status}`);
  const channel = await slack.waitFor(
    () => [...slack.state.channels.values()].find((c) => !known.has(c.id) && !c.isIm),
    `incident ${n}'s channel`,
    TIMEOUT_MS,
  );
  const inChannel = (call: RecordedCall) => call.ok && call.args.channel === channel.id;
  const newCalls = () => slack.calls.slice(callsBefore).filter(inChannel);
  const diagnosis = await slack.waitFor(
    () =>
      newCalls().find(
        (call) =>
          call.method === "chat.postMessage" && /\*Diagnosis:\*/.test(String(call.args.text)),
      ),
    `incident ${n}'s diagnosis`,
    TIMEOUT_MS,
  );
  const checklist = newCalls().find((call) => {
    const text = JSON.stringify(call.args);
    return text.includes("Checklist ·") && !text.includes("No steps yet");
  });
  await quiet(slack);
  const recordedAt = await diagnosisRecordedAt(reader, sentAt);
  const named = /\*Diagnosis:\* (\S+) on ([^\n]+)/.exec(String(diagnosis.args.text));
  return {
    ackMs: response.elapsedMs,
    checklistMs: checklist ? checklist.at - sentAt : Number.NaN,
    diagnosisMs: diagnosis.at - sentAt,
    recordedMs: recordedAt - sentAt,
    diagnosis: named ? `${named[1]} on ${named[2]}` : String(diagnosis.args.text).slice(0, 60),
  };
}

/**
 * The earliest diagnosis event appended to any incident timeline (one Redis stream per incident)
 * since `since`: its stream id is Redis's clock, on this machine, in milliseconds.
 */
async function diagnosisRecordedAt(reader: Redis, since: number): Promise<number> {
  let cursor = "0";
  let earliest = Number.NaN;
  do {
    const [next, keys] = await reader.scan(cursor, "COUNT", 1000, "TYPE", "stream");
    cursor = next;
    for (const key of keys) {
      for (const [id, fields] of await reader.xrange(key, String(since), "+")) {
        const at = Number(id.split("-")[0]);
        const isDiagnosis = fields.some((value) => value.includes('"type":"diagnosis"'));
        if (isDiagnosis && !(at >= earliest)) earliest = at;
      }
    }
  } while (cursor !== "0");
  return earliest;
}

/** Waits until the bot has made no Web API call for 500 ms (the incident's follow-ups are done). */
async function quiet(slack: FakeSlack): Promise<void> {
  const deadline = Date.now() + 15_000;
  let seen = slack.calls.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 50));
    if (slack.calls.length !== seen) {
      seen = slack.calls.length;
      since = Date.now();
    } else if (Date.now() - since >= 500) return;
  }
}

/** `incident-bot run apache-502 --hosts lab --json`, the whole process, on the same lab. */
function runCli(lab: Lab): Promise<CliRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        join(root, "bin", "incident-bot.js"),
        "run",
        "apache-502",
        "--hosts",
        "lab",
        "--json",
        "--inventory",
        lab.inventoryPath,
        "--playbooks",
        join(root, "playbooks"),
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      let diagnosis = "no JSON";
      try {
        const report = JSON.parse(out) as { diagnosis?: { cause?: string; hosts?: string[] } };
        diagnosis = `${report.diagnosis?.cause ?? "?"} on ${(report.diagnosis?.hosts ?? []).join(", ")}`;
      } catch {
        // reported as "no JSON"
      }
      done({ wallMs, code, diagnosis });
    });
  });
}

function render(
  incidents: Incident[],
  cli: CliRun[],
  runs: number,
  loadBefore: number,
  loadAfter: number,
): string {
  const cliMedian = median(cli.map((c) => c.wallMs));
  const ratio = (values: number[]) => `${(median(values) / cliMedian).toFixed(2)}×`;
  const rightDiagnosis = incidents.filter((i) =>
    i.diagnosis.startsWith("upstream_refused on proxy-2"),
  );
  const cliRight = cli.filter((c) => c.diagnosis === "upstream_refused on proxy-2");
  const pick = (f: (i: Incident) => number) => incidents.map(f);
  return [
    HEADING,
    "",
    `\`npm run build && npm run bench -- declare\` on ${new Date().toISOString().slice(0, 10)}, ` +
      `${availableParallelism()} cores, Node ${process.version}, 1-minute load average ` +
      `${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after. ${runs} incidents after a warm-up ` +
      "one, each followed by one baseline run (alternated, so both see the same load); median (min–max).",
    "",
    "The bot is the real `npm start` process (Bolt's HTTP receiver with signature checks, the use cases, " +
      "BullMQ workers, the SSH executor) on a private redis-server, with `SLACK_API_URL` pointing at the " +
      "fake Slack Web API over loopback HTTP; the lab has 3 hosts with proxy-2's upstream stopped. Each " +
      "incident is a signed `/incident declare bench declare N sev2 hosts:lab`; times run from sending the " +
      "request to the moment the fake Slack recorded the Web API call.",
    "",
    "| from `/incident declare` to … | median (min–max) | ÷ baseline |",
    "| --- | ---: | ---: |",
    `| the HTTP ack (200) | ${spreadMs(pick((i) => i.ackMs))} | ${ratio(pick((i) => i.ackMs))} |`,
    `| the pinned card first shows the checklist | ${spreadMs(pick((i) => i.checklistMs))} | ${ratio(pick((i) => i.checklistMs))} |`,
    `| the diagnosis recorded in the incident's timeline (Redis) | ${spreadMs(pick((i) => i.recordedMs))} | ${ratio(pick((i) => i.recordedMs))} |`,
    `| the diagnosis message posted | ${spreadMs(pick((i) => i.diagnosisMs))} | ${ratio(pick((i) => i.diagnosisMs))} |`,
    `| baseline: \`incident-bot run apache-502 --hosts lab --json\` (whole process) | ${spreadMs(cli.map((c) => c.wallMs))} | 1 |`,
    "",
    `- Diagnoses posted: ${rightDiagnosis.length} of ${incidents.length} name \`upstream_refused\` on proxy-2; ` +
      `the CLI's: ${cliRight.length} of ${cli.length} (exit codes ${[...new Set(cli.map((c) => c.code))].join(", ")}).`,
    compareWithCli(median(pick((i) => i.diagnosisMs)) - cliMedian),
    "",
  ].join("\n");
}

/** The bot's diagnosis post against the CLI's whole run, in words that fit either sign. */
function compareWithCli(differenceMs: number): string {
  const context =
    "the CLI's whole process (which itself pays Node start-up and loading the playbooks; the " +
    "running bot does not)";
  return differenceMs >= 0
    ? `- What the queue + Redis + Slack path adds to the diagnosis, at the median: ${ms(differenceMs)} over ${context}.`
    : `- At the median the diagnosis is in the channel ${ms(-differenceMs)} before ${context} has printed it.`;
}

if (require.main === module) {
  runDeclareBench().then(
    (markdown) => process.stdout.write(`${markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`declare bench failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
