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
import { DEFAULT_DAY, writeDayOfLogs } from "../triage/day-of-logs";

/**
 * "Declare → diagnosis posted, in the lab with one broken host" (BENCHMARKS-GUIDE.md, Chat side),
 * at 3 and 30 hosts (`--sizes`), every host's logs holding a day of history (bench/triage). The
 * first diagnosis message is the triage one; the baseline is the CLI's time to the same
 * diagnosis (`run --triage`), beside its whole phase; the final diagnosis and the first approval
 * card are timed too, with how many per-host output replies went out before that card.
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
  /** When the first diagnosis event entered the incident's timeline (a Redis stream id's time). */
  recordedMs: number;
  diagnosis: string;
  finalMs: number;
  approvalMs: number;
  /** Per-host output replies posted before the first approval card, and in all. */
  repliesBeforeApproval: number;
  replies: number;
}

interface CliRun {
  wallMs: number;
  code: number | null;
  diagnosis: string;
}

interface SizeResult {
  size: number;
  incidents: Incident[];
  triage: CliRun[];
  whole: CliRun[];
}

export async function runDeclareBench(args: Map<string, string> = new Map()): Promise<string> {
  const runs = Number(args.get("runs") ?? "5");
  const sizes = (args.get("sizes") ?? "3,30").split(",").map(Number);
  const loadBefore = loadavg()[0] ?? 0;
  const cleanup = new Cleanup();
  try {
    const lab = await up(Math.max(...sizes));
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

    const results: SizeResult[] = [];
    for (const size of sizes) {
      const hosts = lab.hosts.slice(0, size).map((h) => h.name);
      const result: SizeResult = { size, incidents: [], triage: [], whole: [] };
      for (let i = 0; i <= runs; i++) {
        await freshLogs(lab, hosts);
        const incident = await declare(slack, reader, url, `${size}-${i}`, hosts);
        const triage = await runCli(lab, hosts, true);
        const whole = await runCli(lab, hosts, false);
        if (i === 0) continue; // warm-up
        result.incidents.push(incident);
        result.triage.push(triage);
        result.whole.push(whole);
        process.stderr.write(
          `  N=${size} incident ${i}: ack ${ms(incident.ackMs)}, diagnosis ${ms(incident.diagnosisMs)} (${incident.diagnosis}), ` +
            `final ${ms(incident.finalMs)}, approval ${ms(incident.approvalMs)} after ${incident.repliesBeforeApproval}/${incident.replies} replies; ` +
            `cli --triage ${ms(triage.wallMs)}, whole ${ms(whole.wallMs)}\n`,
        );
      }
      results.push(result);
    }
    const markdown = render(results, runs, loadBefore, loadavg()[0] ?? 0);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/declare.md", markdown);
    await writeSection("BENCHMARKS.md", HEADING, markdown);
    return markdown;
  } finally {
    await cleanup.run();
  }
}

/** A day of log history on every host of the incident, then real traffic (proxy-2's refused errors). */
async function freshLogs(lab: Lab, hosts: string[]): Promise<void> {
  for (const name of hosts) writeDayOfLogs(lab.host(name), DEFAULT_DAY);
  await Promise.all(hosts.map((name) => lab.hit(name, name === "proxy-2" ? 20 : 5)));
}

/** One incident: the signed declare, then the fake's record of the card, diagnoses and approval. */
async function declare(
  slack: FakeSlack,
  reader: Redis,
  url: string,
  n: string,
  hosts: string[],
): Promise<Incident> {
  const known = new Set(slack.state.channels.keys());
  const callsBefore = slack.calls.length;
  const sentAt = Date.now();
  const response = await postSlashCommand(
    url,
    {
      text: `declare bench declare ${n} sev2 hosts:${hosts.join(",")}`,
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
  const posted = (pattern: RegExp) => () =>
    newCalls().find(
      (call) => call.method === "chat.postMessage" && pattern.test(String(call.args.text)),
    );
  const diagnosis = await slack.waitFor(
    posted(/\*Diagnosis:\*/),
    `incident ${n}'s diagnosis`,
    TIMEOUT_MS,
  );
  const final = await slack.waitFor(
    posted(/\*Final diagnosis:\*|\*Diagnosis:\*(?![^\n]*triage)/),
    `incident ${n}'s final diagnosis`,
    TIMEOUT_MS,
  );
  const isApproval = (call: RecordedCall) =>
    call.method === "chat.postMessage" &&
    JSON.stringify(call.args.blocks ?? "").includes("Approve");
  const approval = await slack.waitFor(
    () => newCalls().find(isApproval),
    `incident ${n}'s approval card`,
    TIMEOUT_MS,
  );
  const checklist = newCalls().find((call) => {
    const text = JSON.stringify(call.args);
    return text.includes("Checklist ·") && !text.includes("No steps yet");
  });
  await quiet(slack);
  const isReply = (call: RecordedCall) =>
    call.method === "chat.postMessage" && String(call.args.text).includes("Step output on");
  const calls = newCalls();
  const replies = calls.filter(isReply);
  const recordedAt = await diagnosisRecordedAt(reader, sentAt);
  const named = /\*Diagnosis:\* (\S+) on ([^\n]+)/.exec(String(diagnosis.args.text));
  return {
    ackMs: response.elapsedMs,
    checklistMs: checklist ? checklist.at - sentAt : Number.NaN,
    diagnosisMs: diagnosis.at - sentAt,
    recordedMs: recordedAt - sentAt,
    diagnosis: named ? `${named[1]} on ${named[2]}` : String(diagnosis.args.text).slice(0, 60),
    finalMs: final.at - sentAt,
    approvalMs: approval.at - sentAt,
    repliesBeforeApproval: replies.filter((call) => call.at < approval.at).length,
    replies: replies.length,
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

/** Waits until the bot has made no Web API call for 1.5 s (the incident's follow-ups are done). */
async function quiet(slack: FakeSlack): Promise<void> {
  const deadline = Date.now() + 120_000;
  let seen = slack.calls.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 50));
    if (slack.calls.length !== seen) {
      seen = slack.calls.length;
      since = Date.now();
    } else if (Date.now() - since >= 1500) return;
  }
}

/** `incident-bot run apache-502 --hosts … --json [--triage]`, the whole process, on the same lab. */
function runCli(lab: Lab, hosts: string[], triage: boolean): Promise<CliRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        join(root, "bin", "incident-bot.js"),
        "run",
        "apache-502",
        "--hosts",
        hosts.join(","),
        "--json",
        ...(triage ? ["--triage"] : []),
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
  results: SizeResult[],
  runs: number,
  loadBefore: number,
  loadAfter: number,
): string {
  return [
    HEADING,
    "",
    `\`npm run build && npm run bench -- declare --sizes ${results.map((r) => r.size).join(",")} --runs ${runs}\` on ${new Date().toISOString().slice(0, 10)}, ` +
      `${availableParallelism()} cores shared with other work running on the machine, Node ${process.version}, 1-minute load average ` +
      `${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after. ${runs} incidents after a warm-up ` +
      "one per size, each followed by the two baseline runs (alternated, so all see the same load); median (min–max).",
    "",
    "The bot is the real `npm start` process (Bolt's HTTP receiver with signature checks, the use cases, " +
      "BullMQ workers, the SSH executor) on a private redis-server, with `SLACK_API_URL` pointing at the " +
      "fake Slack Web API over loopback HTTP; proxy-2's upstream is stopped and every host's logs hold a day " +
      "of history (bench/triage/day-of-logs.ts), rewritten before each incident. Each incident is a signed " +
      "`/incident declare bench declare N sev2 hosts:proxy-1,…`; times run from sending the request to the " +
      "moment the fake Slack recorded the Web API call. The first diagnosis message is the triage one.",
    "",
    ...results.flatMap(renderSize),
  ].join("\n");
}

function renderSize(r: SizeResult): string[] {
  const base = median(r.triage.map((c) => c.wallMs));
  const ratio = (values: number[]) => `${(median(values) / base).toFixed(2)}×`;
  const pick = (f: (i: Incident) => number) => r.incidents.map(f);
  const row = (label: string, values: number[]) =>
    `| ${label} | ${spreadMs(values)} | ${ratio(values)} |`;
  const right = r.incidents.filter((i) => i.diagnosis.startsWith("upstream_refused on proxy-2"));
  const cliRight = r.triage.filter((c) => c.diagnosis === "upstream_refused on proxy-2");
  const diagnosisRatio = median(pick((i) => i.diagnosisMs)) / base;
  return [
    `### ${r.size} hosts`,
    "",
    "| from `/incident declare` to … | median (min–max) | ÷ CLI `--triage` |",
    "| --- | ---: | ---: |",
    row(
      "the HTTP ack (200)",
      pick((i) => i.ackMs),
    ),
    row(
      "the pinned card first shows the checklist",
      pick((i) => i.checklistMs),
    ),
    row(
      "the triage diagnosis recorded in the timeline (Redis)",
      pick((i) => i.recordedMs),
    ),
    row(
      "**the triage diagnosis message posted**",
      pick((i) => i.diagnosisMs),
    ),
    row(
      "the final diagnosis message posted",
      pick((i) => i.finalMs),
    ),
    row(
      "the first approval card posted",
      pick((i) => i.approvalMs),
    ),
    row(
      "baseline: `incident-bot run apache-502 --triage --json` (whole process)",
      r.triage.map((c) => c.wallMs),
    ),
    row(
      "`incident-bot run apache-502 --json`, the whole phase (whole process)",
      r.whole.map((c) => c.wallMs),
    ),
    "",
    `- Target: the diagnosis posted within 1.2× the CLI's time to the same diagnosis: ${diagnosisRatio.toFixed(2)}× (${diagnosisRatio <= 1.2 ? "met" : `missed by ${((diagnosisRatio / 1.2 - 1) * 100).toFixed(0)}%`}).`,
    `- Diagnoses posted: ${right.length} of ${r.incidents.length} name \`upstream_refused\` on proxy-2; ` +
      `the CLI's: ${cliRight.length} of ${r.triage.length} (exit codes ${[...new Set(r.triage.map((c) => c.code))].join(", ")}).`,
    `- Per-host output replies posted before the first approval card: ${r.incidents.map((i) => `${i.repliesBeforeApproval} of ${i.replies}`).join(", ")}.`,
    "",
  ];
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
