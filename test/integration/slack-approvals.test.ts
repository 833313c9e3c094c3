import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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
import type { Runtime } from "../../src/main";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";
import { testHosts } from "../fakes/lifecycle-harness";
import { LocalShellExecutor } from "../fakes/local-shell-executor";
import { freePort } from "../support/free-port";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import type { HttpServer } from "../../src/adapters/http";
import { serveSlackApp } from "../support/slack-http";
import { postButtonClick, postSlashCommand } from "../support/slack-signing";
import { startTestRuntime, waitFor } from "./lifecycle/runtime";

const SECRET = "approvals-signing-secret";

/**
 * The two-person rule and the operators as Slack users meet them: signed slash commands and
 * button clicks to Bolt's endpoint, the fake Slack Web API, real Redis, BullMQ workers and the
 * engine (commands run in a local shell).
 */
describe("approvals and operators through Slack", () => {
  let slack: FakeSlack;
  let runtime: Runtime;
  let bot: SlackApp;
  let server: HttpServer;
  let eventsUrl: string;
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "incident-bot-slack-approvals-"));
    slack = await startFakeSlack();
    const slackOptions = {
      botToken: slack.token,
      apiUrl: slack.apiUrl,
      retryConfig: { retries: 1, minTimeout: 20, maxTimeout: 50 },
      logLevel: LogLevel.ERROR,
    };
    runtime = await startTestRuntime({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix("slack-approvals"),
      chat: new SlackChat(createSlackClient(slackOptions), { minPostIntervalMs: 0 }),
      executor: new LocalShellExecutor(),
      hosts: testHosts(["p1"], { marker: join(dir, "p1.marker") }),
      workers: true,
      settings: { approvers: ["UANN", "UBEN"], approvalsRequired: 2, operators: ["UOP"] },
    });
    const port = await freePort();
    bot = createSlackApp({
      ...slackOptions,
      signingSecret: SECRET,
      service: slackIncidentService(runtime.deps),
    });
    await bot.start();
    server = await serveSlackApp(bot, port);
    eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  });

  afterEach(async () => {
    await server.close();
    await bot.stop();
    await runtime.close();
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const slash = (text: string, user: string) =>
    postSlashCommand(
      eventsUrl,
      { text, user_id: user, channel_id: "COPS", response_url: slack.responseUrl() },
      { secret: SECRET },
    );

  const approve = (user: string, channel: string, approvalId: string, incidentId: string) =>
    postButtonClick(
      eventsUrl,
      {
        user_id: user,
        channel_id: channel,
        message_ts: "1700000000.000100",
        action_id: APPROVE_ACTION,
        value: JSON.stringify({ approvalId, incidentId }),
        response_url: slack.responseUrl(),
      },
      { secret: SECRET },
    );

  /** The approval card: the message whose blocks carry the approvals line or the buttons. */
  const cardText = (approvalId: string): string =>
    JSON.stringify(
      slack.state.messages.filter((m) => {
        const blocks = JSON.stringify(m.blocks);
        return blocks.includes(approvalId) || blocks.includes("*Approvals:*");
      }),
    );

  test("a non-operator cannot declare on hosts; a remediation waits for a second approver and then runs once", async () => {
    await slash("declare checkout down sev2 hosts:p1", "USTRANGER");
    const refusal = await slack.waitFor(() => slack.state.responses[0], "the refusal");
    expect(String(refusal.body.text)).toContain("INCIDENT_OPERATORS");
    expect(await runtime.deps.incidents.list({ openOnly: false, limit: 5 })).toHaveLength(0);

    await slash("declare checkout down sev2 hosts:p1", "UOP");
    const incident = await waitFor("the incident", async () => {
      const [found] = await runtime.deps.incidents.list({ openOnly: true, limit: 5 });
      return found?.channel ? found : null;
    });
    const approval = await waitFor("the approval request", async () => {
      const [found] = await runtime.deps.approvals.listForIncident(incident.id);
      return found;
    });
    await slack.waitFor(() => cardText(approval.id).includes("Approve"), "the approval card");

    await approve("UANN", incident.channel ?? "", approval.id, incident.id);
    await slack.waitFor(
      () =>
        cardText(approval.id).includes("1 of 2") && cardText(approval.id).includes("1 more needed"),
      "the card showing one of two approvals",
    );
    await approve("UANN", incident.channel ?? "", approval.id, incident.id);
    const again = await slack.waitFor(
      () => slack.state.responses.find((r) => String(r.body.text).includes("already approved")),
      "the repeat refusal",
    );
    expect(again.body.response_type).toBe("ephemeral");
    expect(() => readFileSync(join(dir, "p1.marker"))).toThrow();

    await approve("UBEN", incident.channel ?? "", approval.id, incident.id);
    await waitFor("the remediation", async () =>
      (await runtime.deps.timeline.read(incident.id)).some(
        (e) => e.type === "remediation-finished",
      ),
    );
    expect(readFileSync(join(dir, "p1.marker"), "utf8")).toBe("ran\n");
    await slack.waitFor(() => cardText(approval.id).includes("2 of 2"), "the card with both");
    expect(cardText(approval.id)).toContain("<@UANN>");
    expect(cardText(approval.id)).toContain("<@UBEN>");
  });
});
