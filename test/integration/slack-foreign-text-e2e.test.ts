import { connect } from "node:net";
import { join } from "node:path";
import { LogLevel } from "@slack/bolt";
import {
  createSlackApp,
  createSlackClient,
  SlackChat,
  slackIncidentService,
  type SlackApp,
} from "../../src/adapters/slack";
import { loadConfig } from "../../src/config/env";
import type { Incident } from "../../src/domain/incident";
import type { TimelineEvent } from "../../src/domain/timeline";
import { startRuntime, type Runtime } from "../../src/main";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";
import { up, type Lab } from "../lab/lab";
import { freePort } from "../support/free-port";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { everythingSentTo, expectNoLiveForeignMarkup } from "../support/slack-expectations";
import type { HttpServer } from "../../src/adapters/http";
import { serveSlackApp } from "../support/slack-http";
import { postSlashCommand } from "../support/slack-signing";

/**
 * A client of the proxy and a chat user both try to make Slack obey them: a Referer Apache writes
 * into its error log next to AH01114 and a User-Agent the access log keeps, then a title, a note,
 * a status and a resolve summary typed in Slack. Through a real Apache of the lab, signed slash
 * commands to Bolt and the real workers, every Web API call the fake Slack receives must show
 * that text escaped and none of its markup raw; the diagnosis names the upstream Apache names.
 */
const REPO = join(__dirname, "../..");
const SECRET = "foreign-text-signing-secret";
const LONG = 180_000;
const ALICE = "UALICE";
const REFERER =
  "http://x/ attempt to connect to x (<!channel> <https://evil.example|Approve the fix here>)";
const USER_AGENT = "Mozilla/5.0 <@U999> <!here>";

/** One request with headers Node's own client would refuse to send (ESC in a header value). */
function hostileRequest(address: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port: 80 }, () => {
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
      socket.end(
        ["GET /api/ HTTP/1.1", `Host: ${address}`, ...lines, "Connection: close", "", ""].join(
          "\r\n",
        ),
      );
    });
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer from the proxy")));
  });
}

describe("foreign text from a proxy log and from Slack reaches Slack escaped, on every path", () => {
  let lab: Lab;
  let slack: FakeSlack;
  let runtime: Runtime;
  let bot: SlackApp;
  let server: HttpServer;
  let eventsUrl: string;

  beforeAll(async () => {
    lab = await up(1);
    await lab.break("proxy-1", "upstream-stopped");
    const address = lab.hosts[0]?.address ?? "";
    for (let i = 0; i < 3; i++) {
      const status = await hostileRequest(address, { Referer: REFERER, "User-Agent": USER_AGENT });
      expect(status).toMatch(/^HTTP\/1\.1 503/);
    }
    // ESC in a header: Apache refuses the request (HttpProtocolOptions Strict) and logs no
    // User-Agent, but its access log line still carries the Referer.
    const refused = await hostileRequest(address, {
      Referer: REFERER,
      "User-Agent": "\u001b[31mred\u001b]0;pwned\u0007",
    });
    expect(refused).toMatch(/^HTTP\/1\.1 400/);
    slack = await startFakeSlack();
    const loaded = loadConfig({
      REDIS_URL: testRedisUrl(),
      INVENTORY: lab.inventoryPath,
      PLAYBOOKS_DIR: join(REPO, "playbooks"),
      INCIDENT_APPROVERS: "UBOB",
      PHASE_MINUTE_MS: "60000",
    });
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const slackOptions = {
      botToken: slack.token,
      apiUrl: slack.apiUrl,
      retryConfig: { retries: 2, minTimeout: 50, maxTimeout: 200 },
      logLevel: LogLevel.ERROR,
    };
    const chat = new SlackChat(createSlackClient(slackOptions), {
      minPostIntervalMs: 20,
      minUpdateIntervalMs: 50,
    });
    runtime = await startRuntime({
      config: loaded.config,
      chat,
      keyPrefix: uniquePrefix("foreign-text"),
      queue: { announceBackoffMs: 200, announceAttempts: 12 },
    });
    const port = await freePort();
    bot = createSlackApp({
      ...slackOptions,
      signingSecret: SECRET,
      service: slackIncidentService(runtime.deps),
    });
    await bot.start();
    server = await serveSlackApp(bot, port, () => runtime.health());
    eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  }, LONG);

  afterAll(async () => {
    await server?.close();
    await bot?.stop();
    await runtime?.close();
    await slack?.stop();
    await lab?.down();
  }, LONG);

  /** As Slack sends it with should_escape: what was typed is escaped, @channel is `<!channel>`. */
  const command = (text: string, channel: string) =>
    postSlashCommand(
      eventsUrl,
      { text, user_id: ALICE, channel_id: channel, response_url: slack.responseUrl() },
      { secret: SECRET },
    );
  const timeline = (id: string): Promise<TimelineEvent[]> => runtime.deps.timeline.read(id);
  /** The channel is created before the incident records it. */
  const incidentOf = async (channel: string): Promise<Incident> => {
    for (const deadline = Date.now() + LONG; Date.now() < deadline;) {
      const found = await runtime.deps.incidents.findByChannel(channel);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no incident for ${channel}`);
  };

  it(
    "declares, diagnoses, notes, shows the timeline and resolves without one live mention or link",
    async () => {
      const declare = "declare 502s &lt;!channel&gt; <!channel> <@U999|mallory> sev2 hosts:lab";
      expect((await command(declare, "COPS")).status).toBe(200);
      const channel = await slack.waitFor(
        () => [...slack.state.channels.values()].find((c) => c.name.startsWith("inc-")),
        "the incident channel",
        LONG,
      );
      const incident = await incidentOf(channel.id);
      // Stored as the person typed it.
      expect(incident.title).toBe("502s <!channel> @channel @mallory");

      const diagnosed = await slack.waitFor(
        () => slack.state.history(channel.id).find((m) => m.text.includes("Diagnosis:")),
        "the diagnosis message",
        LONG,
      );
      const events = await timeline(incident.id);
      const errorLog = events.find(
        (e) => e.type === "step-finished" && e.details.stepId === "error-log",
      );
      // The hostile Referer really is in what the host printed: Apache appended it.
      expect(errorLog?.type === "step-finished" && errorLog.details.output).toContain(
        `, referer: ${REFERER}`,
      );
      const diagnosis = events.find((e) => e.type === "diagnosis");
      if (diagnosis?.type !== "diagnosis") throw new Error("no diagnosis");
      expect(diagnosis.details.diagnosis.cause).toBe("upstream_refused");
      expect(diagnosis.details.diagnosis.recommendation).toContain("upstream.proxy-1.lab:9000");
      expect(JSON.stringify(diagnosis.details.diagnosis)).not.toMatch(
        /evil|channel|attempt to connect to x/,
      );
      expect(diagnosed.text).not.toContain("evil");

      // The step outputs reach the thread with the Referer and the User-Agent, escaped.
      await slack.waitFor(
        () =>
          slack.state.messages.find((m) =>
            JSON.stringify(m.blocks).includes(
              "referer: http://x/ attempt to connect to x (&lt;!channel&gt;",
            ),
          ),
        "the error log in the thread",
        LONG,
      );

      expect(
        (
          await command(
            "note see &lt;!channel&gt; and <!here> <https://evil.example|Approve the fix here>",
            channel.id,
          )
        ).status,
      ).toBe(200);
      expect(
        (await command("status &lt;@U999&gt; says <!channel> approve &amp; go", channel.id)).status,
      ).toBe(200);
      expect((await command("timeline", channel.id)).status).toBe(200);
      await slack.waitFor(
        () => slack.state.history(channel.id).find((m) => m.text.startsWith("*Timeline of")),
        "the timeline",
        LONG,
      );
      expect(
        (
          await command(
            "resolve fixed &lt;!channel&gt; <https://evil.example|Approve the fix here>",
            channel.id,
          )
        ).status,
      ).toBe(200);
      const postmortem = await slack.waitFor(
        () => [...slack.state.files.values()].find((f) => f.channels.includes(channel.id)),
        "the postmortem upload",
        LONG,
      );
      await slack.waitFor(
        () => slack.state.history(channel.id).find((m) => m.text.startsWith("Resolved")),
        "the resolve message",
        LONG,
      );
      const note = (await timeline(incident.id)).find((e) => e.type === "note");
      expect(note?.type === "note" && note.details.text).toBe(
        "see <!channel> and @here Approve the fix here (https://evil.example)",
      );

      expectNoLiveForeignMarkup(slack);
      const sent = everythingSentTo(slack).join("\n");
      // Shown, not dropped: the escaped forms are there, and the topic names the title.
      expect(sent).toContain("&lt;!channel&gt;");
      expect(sent).toContain("&lt;@U999&gt;");
      expect(channel.topic).toBe("sev2 · 502s &lt;!channel&gt; @channel @mallory");
      expect(postmortem.content).toContain("502s &lt;!channel&gt; @channel @mallory");
    },
    LONG * 2,
  );
});
