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
import type { HttpServer } from "../../src/adapters/http";
import { loadConfig } from "../../src/config/env";
import type { TimelineEvent } from "../../src/domain/timeline";
import { startRuntime, type Runtime } from "../../src/main";
import { startFakeSlack, type FakeMessage, type FakeSlack } from "../fakes/fake-slack";
import { up, type Lab } from "../lab/lab";
import { freePort } from "../support/free-port";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { postButtonClick, postSlashCommand } from "../support/slack-signing";
import { serveSlackApp } from "../support/slack-http";

/**
 * One incident over a mixed fleet, as Slack drives it: an Apache, an nginx and a HAProxy host of
 * the lab, each with its upstream stopped. One declare runs each host's own playbook, one diagnosis
 * covers all three, and each kind's reload is approved and runs on its own host.
 */
const REPO = join(__dirname, "../..");
const SECRET = "mixed-signing-secret";
const LONG = 240_000;
const ALICE = "UALICE";
const BOB = "UBOB";
const KINDS = ["apache", "nginx", "haproxy"] as const;
const REMEDIATION: Record<(typeof KINDS)[number], string> = {
  apache: "graceful-reload",
  nginx: "reload",
  haproxy: "reload",
};

describe("Slack end to end over a mixed Apache, nginx and HAProxy fleet", () => {
  let lab: Lab;
  let slack: FakeSlack;
  let runtime: Runtime;
  let bot: SlackApp;
  let server: HttpServer | undefined;
  let eventsUrl: string;

  beforeAll(async () => {
    lab = await up(3, { kinds: [...KINDS] });
    for (const host of ["proxy-1", "proxy-2", "proxy-3"]) {
      await lab.break(host, "upstream-stopped");
      await lab.hit(host, 3, "/api/");
    }
    slack = await startFakeSlack();
    const loaded = loadConfig({
      REDIS_URL: testRedisUrl(),
      INVENTORY: lab.inventoryPath,
      PLAYBOOKS_DIR: join(REPO, "playbooks"),
      INCIDENT_APPROVERS: BOB,
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
      keyPrefix: uniquePrefix("slack-mixed"),
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

  const blocksOf = (message: FakeMessage | undefined) => JSON.stringify(message?.blocks ?? []);

  it(
    "diagnoses every kind in one incident and runs each kind's approved reload on its own host",
    async () => {
      const declared = await postSlashCommand(
        eventsUrl,
        {
          text: "declare Checkout 502s sev2 hosts:lab",
          user_id: ALICE,
          channel_id: "COPS",
          response_url: slack.responseUrl(),
        },
        { secret: SECRET },
      );
      expect(declared.status).toBe(200);
      await slack.waitFor(
        () => slack.state.responses.find((r) => String(r.body.text).includes("Declared")),
        "the declare reply",
      );
      const channel = await slack.waitFor(
        () => [...slack.state.channels.values()].find((c) => c.name.startsWith("inc-")),
        "the incident channel",
      );
      const incident = await runtime.deps.incidents.findByChannel(channel.id);
      if (!incident) throw new Error("no incident for the channel");

      const posted = await slack.waitFor(
        () => slack.state.history(channel.id).find((m) => /Diagnosis:\*/.test(m.text)),
        "the diagnosis message",
        LONG,
      );
      expect(posted.text).toMatch(/Diagnosis:\* upstream_refused on proxy-1, proxy-2, proxy-3/);
      const events: TimelineEvent[] = await runtime.deps.timeline.read(incident.id);
      const started = events.filter((e) => e.type === "playbook-started");
      expect(started.map((e) => e.type === "playbook-started" && e.details.playbook)).toEqual([
        "apache-502",
        "nginx-502",
        "haproxy-502",
      ]);
      const diagnoses = events.filter((e) => e.type === "diagnosis");
      expect(diagnoses).toHaveLength(1);
      const [diagnosis] = diagnoses;
      expect(diagnosis?.type === "diagnosis" && diagnosis.details.perHost).toEqual({
        "proxy-1": "upstream_refused",
        "proxy-2": "upstream_refused",
        "proxy-3": "upstream_refused",
      });

      // The upstreams come back; each kind's reload is approved on its own card.
      for (const host of ["proxy-1", "proxy-2", "proxy-3"]) await lab.fix(host);
      for (const [index, kind] of KINDS.entries()) {
        const host = `proxy-${index + 1}`;
        const step = REMEDIATION[kind];
        const card = await slack.waitFor(
          () =>
            slack.state.history(channel.id).find((m) => {
              const blocks = blocksOf(m);
              return (
                blocks.includes(APPROVE_ACTION) &&
                blocks.includes(`${step}`) &&
                blocks.includes(host)
              );
            }),
          `the ${kind} approval card`,
          LONG,
        );
        const actions = card.blocks.find(
          (b): b is { type: "actions"; elements: Array<{ value: string }> } =>
            (b as { type?: string }).type === "actions",
        );
        const clicked = await postButtonClick(
          eventsUrl,
          {
            user_id: BOB,
            channel_id: channel.id,
            message_ts: card.ts,
            action_id: APPROVE_ACTION,
            value: actions?.elements[0]?.value ?? "",
            response_url: slack.responseUrl(`click-${kind}`),
          },
          { secret: SECRET },
        );
        expect(clicked.status).toBe(200);
        const outcome = new RegExp(
          `Remediation ${step} on ${host}: precheck ok, action ok, verification ok`,
        );
        await slack.waitFor(
          () => slack.state.messages.find((m) => outcome.test(m.text)),
          `the ${kind} remediation outcome`,
          LONG,
        );
      }
      const finished = (await runtime.deps.timeline.read(incident.id)).filter(
        (e) => e.type === "remediation-finished",
      );
      expect(
        finished.map(
          (e) => e.type === "remediation-finished" && [e.details.host, e.details.stepId],
        ),
      ).toEqual([
        ["proxy-1", "graceful-reload"],
        ["proxy-2", "reload"],
        ["proxy-3", "reload"],
      ]);
    },
    LONG * 3,
  );
});
