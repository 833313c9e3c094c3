import { webApi } from "@slack/bolt";
import { SlackChat } from "../../src/adapters/slack/slack-chat";
import type { ApprovalCard, IncidentCard } from "../../src/ports/chat";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";

const incident: IncidentCard["incident"] = {
  id: "inc-20261122-api-502-ab12",
  title: "API 502",
  severity: "sev1",
  state: "open",
  phase: "immediate",
  commander: "U0DECLARE",
  declaredBy: "U0DECLARE",
  hosts: ["edge"],
  channel: null,
  messageRef: null,
  declaredAt: Date.now(),
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
};
const card: IncidentCard = { incident, elapsedMs: 0, checklist: [], diagnosis: null };

describe("SlackChat over the Web API (fake Slack on loopback)", () => {
  let slack: FakeSlack;
  let chat: SlackChat;

  beforeEach(async () => {
    slack = await startFakeSlack();
    const client = new webApi.WebClient(slack.token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 50 },
      logLevel: webApi.LogLevel.ERROR,
    });
    chat = new SlackChat(client, { minPostIntervalMs: 0, minUpdateIntervalMs: 0 });
  });

  afterEach(() => slack.stop());

  const open = (name = "inc-20261122-api-502-ab12") =>
    chat.createIncidentChannel({
      name,
      topic: "sev1 · API 502",
      purpose: "Incident inc-20261122-api-502-ab12",
      members: ["U0DECLARE", "U0RESPOND"],
    });

  test("declaring opens a valid channel with topic, purpose and members", async () => {
    const channel = await open("INC 20261122 API/502!");
    const created = slack.state.channels.get(channel);
    expect(created?.name).toBe("inc-20261122-api-502");
    expect(created?.topic).toBe("sev1 · API 502");
    expect(created?.purpose).toContain("inc-20261122");
    expect([...(created?.members ?? [])]).toEqual(
      expect.arrayContaining(["U0DECLARE", "U0RESPOND"]),
    );
  });

  test("the topic follows a change of severity", async () => {
    const channel = await open();
    await chat.setTopic(channel, "sev3 · API 502");
    expect(slack.state.channels.get(channel)?.topic).toBe("sev3 · API 502");
  });

  test("a taken channel name gets a numbered suffix", async () => {
    const other = new webApi.WebClient(slack.token, { slackApiUrl: slack.apiUrl });
    await other.conversations.create({ name: "inc-20261122-api-502-ab12" });
    await other.conversations.create({ name: "inc-20261122-api-502-ab12-2" });
    const channel = await open();
    expect(slack.state.channels.get(channel)?.name).toBe("inc-20261122-api-502-ab12-3");
  });

  test("a failing topic does not fail the channel, and a retry reuses it", async () => {
    slack.failNext("conversations.setTopic", 10, 400);
    const first = await open();
    const second = await open();
    expect(second).toBe(first);
    expect(slack.callsOf("conversations.create")).toHaveLength(1);
  });

  test("the incident card is posted, pinned and updated in place", async () => {
    const channel = await open();
    const ref = await chat.postIncidentCard(channel, card);
    const [, ts = ""] = ref.split("/");
    expect(slack.state.message(channel, ts)?.pinned).toBe(true);
    await chat.updateIncidentCard(ref, { ...card, elapsedMs: 65_000 });
    expect(JSON.stringify(slack.state.message(channel, ts)?.blocks)).toContain("1m 05s");
    expect(slack.state.history(channel)).toHaveLength(1);
  });

  test("a card already recorded is updated rather than posted twice", async () => {
    const channel = await open();
    const ref = await chat.postIncidentCard(channel, card);
    const again = await chat.postIncidentCard(channel, {
      ...card,
      incident: { ...incident, messageRef: ref },
    });
    expect(again).toBe(ref);
    expect(slack.state.history(channel)).toHaveLength(1);
  });

  test("quick successive card updates end with the newest version", async () => {
    const paced = new SlackChat(new webApi.WebClient(slack.token, { slackApiUrl: slack.apiUrl }), {
      minPostIntervalMs: 0,
      minUpdateIntervalMs: 50,
    });
    const channel = await open();
    const ref = await paced.postIncidentCard(channel, card);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        paced.updateIncidentCard(ref, { ...card, elapsedMs: (i + 1) * 60_000 }),
      ),
    );
    const [, ts = ""] = ref.split("/");
    expect(JSON.stringify(slack.state.message(channel, ts)?.blocks)).toContain("10m 00s");
    expect(slack.callsOf("chat.update").length).toBeLessThan(10);
  });

  test("thread replies carry capped output in a code block", async () => {
    const channel = await open();
    const ref = await chat.postIncidentCard(channel, card);
    await chat.postThreadReply(ref, "error-log on proxy-2: ok", "x".repeat(10_000));
    const [, ts = ""] = ref.split("/");
    const [reply] = slack.state.replies(channel, ts);
    expect(JSON.stringify(reply?.blocks)).toContain("```");
  });

  test("an approval card is posted and updated with the decision", async () => {
    const channel = await open();
    const approval: ApprovalCard = {
      approvalId: "apr-x-reload",
      incidentId: incident.id,
      title: "Graceful reload",
      hosts: ["proxy-2"],
      commands: ["apache2ctl -k graceful"],
      precheck: "Syntax OK",
      state: "pending",
      requestedBy: "bot",
      decidedBy: null,
      approvals: [],
      required: 1,
      expiresAt: Date.now() + 600_000,
      outcome: null,
    };
    const ref = await chat.postApprovalCard(channel, approval);
    await chat.updateApprovalCard(ref, { ...approval, state: "approved", decidedBy: "U0APPROVE" });
    const [, ts = ""] = ref.split("/");
    const blocks = JSON.stringify(slack.state.message(channel, ts)?.blocks);
    expect(blocks).toContain("approved by <@U0APPROVE>");
    expect(blocks).not.toContain("approval-approve");
  });

  test("the postmortem is uploaded as a Markdown file", async () => {
    const channel = await open();
    await chat.uploadFile(channel, {
      filename: "postmortem.md",
      title: "Postmortem",
      content: "# Postmortem",
    });
    const [file] = [...slack.state.files.values()];
    expect(file).toMatchObject({ filename: "postmortem.md", content: "# Postmortem" });
  });

  test("an ephemeral to someone outside the channel becomes a direct message", async () => {
    const channel = await open();
    await chat.postEphemeral(channel, "U0DECLARE", "only you");
    await chat.postEphemeral(channel, "U0STRANGER", "only you too");
    expect(slack.state.ephemerals).toEqual([
      expect.objectContaining({ user: "U0DECLARE", text: "only you" }),
    ]);
    expect(slack.callsOf("chat.postMessage").at(-1)?.args.channel).toBe("U0STRANGER");
  });

  test("transient 5xx and a 429 are retried and the message is posted exactly once", async () => {
    const channel = await open();
    slack.failNext("chat.postMessage", 2, 502);
    slack.rateLimitNext("chat.postMessage", 1, 1);
    await chat.postMessage(channel, "status: upstream restarted");
    expect(slack.state.history(channel).map((message) => message.text)).toEqual([
      "status: upstream restarted",
    ]);
  });

  test("a refusal is thrown with a code and marked not retryable; an outage is retryable", async () => {
    await expect(chat.postMessage("C404", "x")).rejects.toMatchObject({
      code: "channel_not_found",
      retryable: false,
    });
    const impatient = new SlackChat(
      new webApi.WebClient(slack.token, {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
        logLevel: webApi.LogLevel.ERROR,
      }),
      { minPostIntervalMs: 0 },
    );
    slack.startOutage();
    await expect(impatient.postMessage("C1", "x")).rejects.toMatchObject({ retryable: true });
  });

  test("posts to one channel go out in order: a burst at once, then spaced out", async () => {
    const paced = new SlackChat(new webApi.WebClient(slack.token, { slackApiUrl: slack.apiUrl }), {
      minPostIntervalMs: 300,
      postBurst: 2,
    });
    const channel = await open();
    const texts = ["one", "two", "three", "four"];
    await Promise.all(texts.map((text) => paced.postMessage(channel, text)));
    const posts = slack.callsOf("chat.postMessage");
    expect(posts.map((call) => call.args.text)).toEqual(texts);
    const at = posts.map((call) => call.at);
    // Lower bounds only: the burst of two may go at once, the rest waits its turn.
    expect((at[2] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(280);
    expect((at[3] ?? 0) - (at[2] ?? 0)).toBeGreaterThanOrEqual(280);
  });

  test("an approval card asked for behind a run's output replies goes out before the replies still queued", async () => {
    const paced = new SlackChat(new webApi.WebClient(slack.token, { slackApiUrl: slack.apiUrl }), {
      minPostIntervalMs: 200,
      postBurst: 1,
    });
    const channel = await open();
    const card = await paced.postMessage(channel, "card");
    const replies = ["proxy-1", "proxy-2", "proxy-3", "proxy-4"].map((host) =>
      paced.postThreadReply(card, `Step output on ${host}`, "output"),
    );
    const approval = paced.postMessage(channel, "approve?");
    await Promise.all([...replies, approval]);
    const texts = slack.callsOf("chat.postMessage").map((call) => String(call.args.text));
    const order = texts.filter((t) => t === "approve?" || t.includes("Step output on"));
    // The first reply may already hold its turn; the approval never waits for the other three.
    expect(order.indexOf("approve?")).toBeLessThanOrEqual(1);
    expect(order).toHaveLength(5);
  });
});
