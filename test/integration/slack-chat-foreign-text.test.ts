import { webApi } from "@slack/bolt";
import { SlackChat } from "../../src/adapters/slack/slack-chat";
import { personNamed, strong } from "../../src/domain/message-text";
import type { ApprovalCard, IncidentCard } from "../../src/ports/chat";
import { startFakeSlack, type FakeSlack } from "../fakes/fake-slack";
import { everythingSentTo, expectNoLiveForeignMarkup } from "../support/slack-expectations";

/** A title, note or log line written to take effect in Slack if the bot posted it raw. */
const HOSTILE = "x (<!channel> <@U999> <https://evil.example|Approve the fix here>) & <!here>";
const SHOWN =
  "x (&lt;!channel&gt; &lt;@U999&gt; &lt;https://evil.example|Approve the fix here&gt;) &amp; &lt;!here&gt;";

const incident: IncidentCard["incident"] = {
  id: "inc-20261122-x-ab12",
  title: HOSTILE,
  severity: "sev1",
  state: "open",
  phase: "immediate",
  commander: "U0COMMAND",
  declaredBy: "U0DECLARE",
  hosts: [HOSTILE],
  channel: null,
  messageRef: null,
  declaredAt: Date.now(),
  mitigatedAt: null,
  resolvedAt: null,
  summary: HOSTILE,
};

const approval: ApprovalCard = {
  approvalId: "apr-1",
  incidentId: incident.id,
  title: HOSTILE,
  hosts: [HOSTILE],
  commands: [`echo '${HOSTILE}'`],
  precheck: HOSTILE,
  state: "pending",
  requestedBy: "U0DECLARE",
  decidedBy: null,
  approvals: [],
  required: 1,
  expiresAt: Date.now() + 600_000,
  outcome: null,
};

describe("SlackChat shows foreign text on every Web API path, never interprets it", () => {
  let slack: FakeSlack;
  let chat: SlackChat;

  beforeEach(async () => {
    slack = await startFakeSlack();
    const client = new webApi.WebClient(slack.token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    chat = new SlackChat(client, { minPostIntervalMs: 0, minUpdateIntervalMs: 0 });
  });

  afterEach(() => slack.stop());

  test("channel, topic, purpose, card, thread, messages, approvals, ephemerals and the file", async () => {
    const channel = await chat.createIncidentChannel({
      name: incident.id,
      topic: `sev1 · ${HOSTILE}`,
      purpose: [`Incident ${incident.id}: ${HOSTILE}, declared by `, personNamed("U0DECLARE")],
      members: ["U0DECLARE"],
    });
    await chat.setTopic(channel, `sev2 · ${HOSTILE}`);
    const card: IncidentCard = {
      incident: { ...incident, channel },
      elapsedMs: 0,
      checklist: [{ stepId: "s", title: HOSTILE, kind: "diagnostic", states: { [HOSTILE]: "ok" } }],
      diagnosis: {
        cause: "upstream_timeout",
        hosts: [HOSTILE],
        summary: HOSTILE,
        recommendation: HOSTILE,
      },
    };
    const ref = await chat.postIncidentCard(channel, card);
    await chat.updateIncidentCard(ref, { ...card, elapsedMs: 60_000 });
    await chat.postThreadReply(ref, `Step error-log on proxy-1: failed (${HOSTILE})`, HOSTILE);
    await chat.postMessage(channel, [strong("Diagnosis:"), ` ${HOSTILE}`]);
    await chat.postMessage(channel, ["Commander: ", personNamed("U0COMMAND"), ` ${HOSTILE}`]);
    const approvalRef = await chat.postApprovalCard(channel, approval);
    await chat.updateApprovalCard(approvalRef, {
      ...approval,
      state: "approved",
      decidedBy: "U0APPROVE",
      outcome: HOSTILE,
    });
    await chat.postEphemeral(channel, "U0DECLARE", `Unknown host ${HOSTILE}`);
    // Not in the channel: the same text goes out as a direct message.
    await chat.postEphemeral(channel, "U0STRANGER", `Unknown host ${HOSTILE}`);
    await chat.uploadFile(channel, {
      filename: `postmortem-${incident.id}.md`,
      title: `Postmortem draft: ${HOSTILE}`,
      content: "# Postmortem: x (&lt;!channel&gt;)\n",
    });

    expectNoLiveForeignMarkup(slack);
    const sent = everythingSentTo(slack);
    for (const method of [
      "conversations.setTopic",
      "conversations.setPurpose",
      "chat.postMessage",
      "chat.update",
      "chat.postEphemeral",
      "files.getUploadURLExternal",
      "files.completeUploadExternal",
    ]) {
      expect(slack.callsOf(method).length).toBeGreaterThan(0);
    }
    // Shown as written (Slack decodes the entities), and the people the bot names are mentions.
    expect(slack.state.channels.get(channel)?.topic).toBe(`sev2 · ${SHOWN}`);
    expect(slack.state.channels.get(channel)?.purpose).toContain("<@U0DECLARE>");
    expect(sent.some((s) => s.includes("<@U0COMMAND>"))).toBe(true);
    expect(sent.some((s) => s.includes("<@U0APPROVE>"))).toBe(true);
    const upload = JSON.stringify(slack.callsOf("files.completeUploadExternal"));
    expect(upload).toContain("Postmortem draft: x (&lt;!channel&gt;");
    const dm = slack.state.messages.find(
      (m) => m.channel === "U0STRANGER" || m.text.includes("Unknown host"),
    );
    expect(dm?.text).toContain(SHOWN);
  });
});
