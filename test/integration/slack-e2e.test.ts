import { join } from "node:path";
import { LogLevel } from "@slack/bolt";
import {
  createSlackApp,
  createSlackClient,
  SlackChat,
  slackIncidentService,
  type SlackApp,
} from "../../src/adapters/slack";
import { APPROVE_ACTION } from "../../src/adapters/slack/blocks/approval-card";
import { loadConfig } from "../../src/config/env";
import { md } from "../../src/domain/postmortem";
import type { TimelineEvent } from "../../src/domain/timeline";
import { startRuntime, type Runtime } from "../../src/main";
import { startFakeSlack, type FakeSlack, type FakeMessage } from "../fakes/fake-slack";
import { up, type Lab } from "../lab/lab";
import { freePort } from "../support/free-port";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { postButtonClick, postSlashCommand } from "../support/slack-signing";
import { serveSlackApp } from "../support/slack-http";
import type { HttpServer } from "../../src/adapters/http";

/**
 * The end-to-end test: Slack as Slack talks to the bot (signed HTTP requests to Bolt's
 * /slack/events, a fake Web API over loopback), the real use cases, Redis, BullMQ workers, SSH
 * and Apache in the lab. Needs root for the lab.
 */
const REPO = join(__dirname, "../..");
const SECRET = "e2e-signing-secret";
const LONG = 180_000;
const ALICE = "UALICE"; // declares; not an approver
const BOB = "UBOB"; // an approver
const RESPONDER = "URESPONDER";

describe("Slack end to end against a 3-host lab with proxy-2's upstream stopped", () => {
  let lab: Lab;
  let slack: FakeSlack;
  let runtime: Runtime;
  let bot: SlackApp;
  let eventsUrl: string;
  let healthUrl: string;
  let server: HttpServer | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    lab = await up(3);
    await lab.break("proxy-2", "upstream-stopped");
    slack = await startFakeSlack();
    const loaded = loadConfig({
      REDIS_URL: testRedisUrl(),
      INVENTORY: lab.inventoryPath,
      PLAYBOOKS_DIR: join(REPO, "playbooks"),
      INCIDENT_APPROVERS: BOB,
      INCIDENT_RESPONDERS: RESPONDER,
      PHASE_MINUTE_MS: "60000",
    });
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const log = (message: string, details?: Record<string, unknown>) =>
      logs.push(`${message} ${JSON.stringify(details ?? {})}`);
    const slackOptions = {
      botToken: slack.token,
      apiUrl: slack.apiUrl,
      retryConfig: { retries: 2, minTimeout: 50, maxTimeout: 200 },
      logLevel: LogLevel.ERROR,
    };
    const chat = new SlackChat(createSlackClient(slackOptions), {
      minPostIntervalMs: 20,
      minUpdateIntervalMs: 50,
      log,
    });
    runtime = await startRuntime({
      config: loaded.config,
      chat,
      keyPrefix: uniquePrefix("slack-e2e"),
      queue: { announceBackoffMs: 200, announceAttempts: 12 },
      log,
    });
    const port = await freePort();
    bot = createSlackApp({
      ...slackOptions,
      signingSecret: SECRET,
      service: slackIncidentService(runtime.deps),
      log,
    });
    await bot.start();
    server = await serveSlackApp(bot, port, () => runtime.health());
    eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    healthUrl = `http://127.0.0.1:${port}/healthz`;
  }, LONG);

  it("answers GET /healthz with Redis and the workers checked, no signature needed", async () => {
    const response = await fetch(healthUrl);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ok",
      checks: { redis: "ok", workers: "ok" },
    });
  });

  afterAll(async () => {
    await server?.close();
    await bot?.stop();
    await runtime?.close();
    await slack?.stop();
    await lab?.down();
  }, LONG);

  const command = (text: string, user: string, channel: string, secret = SECRET) =>
    postSlashCommand(
      eventsUrl,
      { text, user_id: user, channel_id: channel, response_url: slack.responseUrl() },
      { secret },
    );
  const blocksOf = (message: FakeMessage | undefined) => JSON.stringify(message?.blocks ?? []);
  const timeline = async (id: string): Promise<TimelineEvent[]> => runtime.deps.timeline.read(id);

  it(
    "declares, diagnoses, survives an outage, refuses a non-approver, reloads once approved and resolves with the postmortem",
    async () => {
      // A forged request changes nothing.
      const forged = await command("declare forged sev1 hosts:lab", ALICE, "COPS", "wrong");
      expect(forged.status).toBe(401);
      expect(await runtime.deps.incidents.list({ openOnly: false, limit: 10 })).toEqual([]);
      expect(slack.callsOf("conversations.create")).toEqual([]);

      const declared = await command("declare API 502s sev2 hosts:lab", ALICE, "COPS");
      expect(declared.status).toBe(200);
      const reply = await slack.waitFor(
        () => slack.state.responses.find((r) => String(r.body.text).includes("Declared")),
        "the declare reply",
      );
      expect(reply.body.response_type).toBe("ephemeral");
      expect(slack.callsOf("conversations.create")).toHaveLength(1);

      // The channel: a valid name, topic, purpose, the declarer and the responders.
      const channel = [...slack.state.channels.values()].find((c) => c.name.startsWith("inc-"));
      if (!channel) throw new Error("no incident channel");
      expect(channel.name).toMatch(/^inc-\d{8}-api-502s-[a-z0-9]+$/);
      expect(channel.topic).toContain("API 502s");
      expect([...channel.members]).toEqual(expect.arrayContaining([ALICE, RESPONDER]));
      const incident = await runtime.deps.incidents.findByChannel(channel.id);
      if (!incident) throw new Error("no incident for the channel");

      // The pinned card, then Slack goes down for a while as the checks run.
      const card = await slack.waitFor(
        () => slack.state.history(channel.id).find((m) => m.pinned),
        "the pinned incident card",
      );
      expect(blocksOf(card)).toContain("API 502s");
      slack.startOutage();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      slack.endOutage();

      // The immediate phase ran over SSH and the diagnosis names proxy-2.
      await slack.waitFor(
        () =>
          slack.state
            .history(channel.id)
            .find((m) => /Diagnosis:\* upstream_refused on proxy-2\b/.test(m.text)),
        "the diagnosis message",
        LONG,
      );
      const diagnosis = (await timeline(incident.id)).find((e) => e.type === "diagnosis");
      expect(diagnosis?.type === "diagnosis" && diagnosis.details.perHost["proxy-2"]).toBe(
        "upstream_refused",
      );

      // The upstream comes back; the reload is requested with buttons.
      await lab.fix("proxy-2");
      const approvalCard = await slack.waitFor(
        () =>
          slack.state
            .history(channel.id)
            .find(
              (m) =>
                blocksOf(m).includes(APPROVE_ACTION) && blocksOf(m).includes("graceful-reload"),
            ),
        "the approval card",
        LONG,
      );
      const actions = approvalCard.blocks.find(
        (b): b is { type: "actions"; elements: Array<{ value: string }> } =>
          (b as { type?: string }).type === "actions",
      );
      const value = actions?.elements[0]?.value ?? "";
      const click = (user: string) =>
        postButtonClick(
          eventsUrl,
          {
            user_id: user,
            channel_id: channel.id,
            message_ts: approvalCard.ts,
            action_id: APPROVE_ACTION,
            value,
            response_url: slack.responseUrl(`click-${user}`),
          },
          { secret: SECRET },
        );

      // Alice may not approve: refused, privately; nothing runs.
      expect((await click(ALICE)).status).toBe(200);
      const refusal = await slack.waitFor(
        () => slack.state.responses.find((r) => r.id === `click-${ALICE}`),
        "the refusal",
      );
      expect(refusal.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
      expect(String(refusal.body.text)).toContain("approvers");

      // Bob approves: configtest, the graceful reload and the verification run.
      expect((await click(BOB)).status).toBe(200);
      const finished = await slack.waitFor(
        () =>
          slack.state.messages.find((m) =>
            /Remediation graceful-reload on proxy-2: precheck ok, action ok, verification ok/.test(
              m.text,
            ),
          ),
        "the remediation outcome",
        LONG,
      );
      expect(finished.threadTs).toBe(card.ts);
      await slack.waitFor(
        () => blocksOf(slack.state.message(channel.id, approvalCard.ts)).includes(`<@${BOB}>`),
        "the approval card naming Bob",
      );
      expect(blocksOf(slack.state.message(channel.id, approvalCard.ts))).not.toContain(
        APPROVE_ACTION,
      );

      // The severity goes up: announced in the channel, and the topic follows.
      expect((await command("severity sev1", ALICE, channel.id)).status).toBe(200);
      await slack.waitFor(
        () => slack.state.history(channel.id).find((m) => m.text === "Severity: sev2 → sev1"),
        "the severity message",
        LONG,
      );
      await slack.waitFor(
        () => slack.state.channels.get(channel.id)?.topic === "sev1 · API 502s",
        "the new topic",
        LONG,
      );

      // A forged resolve changes nothing.
      expect((await command("resolve forged", BOB, channel.id, "wrong")).status).toBe(401);
      expect((await runtime.deps.incidents.get(incident.id))?.state).toBe("open");
      expect((await timeline(incident.id)).some((e) => e.type === "resolved")).toBe(false);

      // Resolve: the postmortem draft is uploaded with a timeline holding every step.
      expect((await command("resolve upstream restarted", ALICE, channel.id)).status).toBe(200);
      const postmortem = await slack.waitFor(
        () => [...slack.state.files.values()].find((f) => f.channels.includes(channel.id)),
        "the postmortem upload",
        LONG,
      );
      const events = await timeline(incident.id);
      const steps = events.filter((e) => e.type === "step-finished");
      expect(steps.length).toBeGreaterThanOrEqual(3 * 10);
      // As the Markdown quotes them (escaped where Markdown would read them).
      for (const step of steps) expect(postmortem.content).toContain(md(step.summary));
      expect(postmortem.content).toContain("## Timeline");
      expect(postmortem.content).toContain("upstream_refused");

      // The outage lost nothing: every step's output reached the thread, nothing gave up. A
      // failed step has a reply of its own; the others arrive with the diagnosis, one reply per
      // host listing each step.
      const unannounced = (): string[] => {
        const replies = slack.state.replies(channel.id, card.ts);
        const missing: string[] = [];
        for (const step of steps) {
          if (step.details.status === "awaiting-approval") continue;
          if (!step.details.output && !step.details.reason) continue;
          const { host, stepId, status } = step.details;
          const found =
            status === "failed" || status === "error"
              ? replies.some((m) => m.text.startsWith(step.summary))
              : replies.some(
                  (m) =>
                    m.text.startsWith(`Step output on ${host} `) &&
                    JSON.stringify(m).includes(`$ ${stepId} (${status})`),
                );
          if (!found) missing.push(`${host} ${stepId} (${status})`);
        }
        return missing;
      };
      // An announcement that met the outage may still be in its retry backoff.
      await slack
        .waitFor(() => unannounced().length === 0, "every step's output in the thread", LONG)
        .catch(() => undefined);
      expect(unannounced()).toEqual([]);
      expect(events.filter((e) => e.type === "announcement-failed")).toEqual([]);
      expect(slack.calls.some((call) => call.status === 503)).toBe(true);
    },
    LONG * 3,
  );
});
