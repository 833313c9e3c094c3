import type { webApi } from "@slack/bolt";
import type {
  ApprovalCard,
  Chat,
  IncidentCard,
  MessageRef,
  NewIncidentChannel,
} from "../../ports/chat";
import { renderApprovalCard } from "./blocks/approval-card";
import { renderIncidentCard } from "./blocks/incident-card";
import type { MessageText } from "../../domain/message-text";
import { cutEnd, escapeMrkdwn, mrkdwn } from "./blocks/limits";
import { renderTextMessage } from "./blocks/text-message";
import { renderThreadReply } from "./blocks/thread-reply";
import type { RenderedMessage } from "./blocks/types";
import { ChannelPacer, type PacerLane } from "./channel-pacer";
import { slackChannelName, withSuffix } from "./channel-name";
import { parseMessageRef, toMessageRef } from "./message-ref";
import { SlackChatError, slackErrorCode, toSlackChatError } from "./slack-chat-error";

type WebClient = webApi.WebClient;

export interface SlackChatOptions {
  /** Spacing of posts to one channel (Slack: about one message per second). Default 1000. */
  minPostIntervalMs?: number;
  /** Posts to one channel that may go out at once before the spacing applies. Default 3. */
  postBurst?: number;
  /** Spacing of chat.update calls to one message; superseded versions are skipped. Default 1000. */
  minUpdateIntervalMs?: number;
  /** How many suffixes to try when a channel name is taken. Default 20. */
  maxNameAttempts?: number;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

const MAX_TOPIC = 250;

/**
 * The Chat port over Slack's Web API. Retries of single HTTP calls (429 with Retry-After, 5xx) are
 * the WebClient's (its retryConfig); what still fails is thrown as SlackChatError with `retryable`
 * for the announce job. Operations are written so that a retried job does not double a message
 * where that can be avoided: a card already posted is updated, a pin already there is fine, a
 * channel created once in this process is reused.
 */
export class SlackChat implements Chat {
  private readonly posts: ChannelPacer;
  private readonly updates: ChannelPacer;
  private readonly updateVersions = new Map<string, number>();
  private readonly channelsByName = new Map<string, string>();
  private readonly options: Required<Omit<SlackChatOptions, "log">> & Pick<SlackChatOptions, "log">;

  constructor(
    private readonly client: WebClient,
    options: SlackChatOptions = {},
  ) {
    this.options = {
      minPostIntervalMs: options.minPostIntervalMs ?? 1000,
      postBurst: options.postBurst ?? 3,
      minUpdateIntervalMs: options.minUpdateIntervalMs ?? 1000,
      maxNameAttempts: options.maxNameAttempts ?? 20,
      log: options.log,
    };
    this.posts = new ChannelPacer(this.options.minPostIntervalMs, this.options.postBurst);
    this.updates = new ChannelPacer(this.options.minUpdateIntervalMs);
  }

  async createIncidentChannel(input: NewIncidentChannel): Promise<string> {
    const base = slackChannelName(input.name);
    const known = this.channelsByName.get(base);
    const channel = known ?? (await this.createChannel(base));
    this.channelsByName.set(base, channel);
    // The channel exists now: a failure below must not make a retry open a second channel.
    await this.soft("conversations.setTopic", () => this.setTopic(channel, input.topic));
    await this.soft("conversations.setPurpose", () =>
      this.client.conversations.setPurpose({
        channel,
        purpose: cutEnd(mrkdwn(input.purpose), MAX_TOPIC),
      }),
    );
    await this.invite(channel, input.members);
    return channel;
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    await this.call("conversations.setTopic", () =>
      this.client.conversations.setTopic({
        channel,
        topic: cutEnd(escapeMrkdwn(topic), MAX_TOPIC),
      }),
    );
  }

  async postIncidentCard(channel: string, card: IncidentCard): Promise<MessageRef> {
    const recorded = card.incident.messageRef;
    if (recorded && parseMessageRef(recorded).channel === channel) {
      // The card was posted before (a retried announce): update it rather than post a twin.
      await this.updateIncidentCard(recorded, card);
      return recorded;
    }
    const ref = await this.post(channel, renderIncidentCard(card));
    const { ts } = parseMessageRef(ref);
    await this.call("pins.add", async () => {
      try {
        await this.client.pins.add({ channel, timestamp: ts });
      } catch (error) {
        if (slackErrorCode(error) !== "already_pinned") throw error;
      }
    });
    return ref;
  }

  updateIncidentCard(ref: MessageRef, card: IncidentCard): Promise<void> {
    return this.update(ref, renderIncidentCard(card));
  }

  async postThreadReply(ref: MessageRef, text: MessageText, code?: string): Promise<void> {
    const { channel, ts } = parseMessageRef(ref);
    // Replies (step output) queue behind the channel's messages and cards: see ChannelPacer.
    await this.post(channel, renderThreadReply(text, code), ts, "later");
  }

  postMessage(channel: string, text: MessageText): Promise<MessageRef> {
    return this.post(channel, renderTextMessage(text));
  }

  postApprovalCard(channel: string, card: ApprovalCard): Promise<MessageRef> {
    return this.post(channel, renderApprovalCard(card));
  }

  updateApprovalCard(ref: MessageRef, card: ApprovalCard): Promise<void> {
    return this.update(ref, renderApprovalCard(card));
  }

  async uploadFile(
    channel: string,
    file: { filename: string; title: string; content: string },
  ): Promise<void> {
    await this.posts.run(channel, () =>
      this.call("files.uploadV2", () =>
        this.client.filesUploadV2({
          channel_id: channel,
          filename: file.filename,
          // Slack shows the title as text it formats; the content (Markdown) as a file, unread.
          title: escapeMrkdwn(file.title),
          content: file.content,
        }),
      ),
    );
  }

  async postEphemeral(channel: string, user: string, text: MessageText): Promise<void> {
    const message = renderTextMessage(text);
    try {
      await this.client.chat.postEphemeral({ channel, user, ...message });
    } catch (error) {
      const code = slackErrorCode(error);
      if (
        code !== "user_not_in_channel" &&
        code !== "channel_not_found" &&
        code !== "not_in_channel"
      ) {
        throw toSlackChatError("chat.postEphemeral", error);
      }
      // The person is not in that channel (or the bot is not): tell them in a direct message.
      await this.call("chat.postMessage", () =>
        this.client.chat.postMessage({ channel: user, ...message }),
      );
    }
  }

  private async createChannel(base: string): Promise<string> {
    for (let attempt = 1; attempt <= this.options.maxNameAttempts; attempt += 1) {
      const name = withSuffix(base, attempt);
      try {
        const created = await this.client.conversations.create({ name });
        const id = created.channel?.id;
        if (!id)
          throw new SlackChatError(
            "no_channel_id",
            "conversations.create: no id",
            true,
            "conversations.create",
          );
        return id;
      } catch (error) {
        if (slackErrorCode(error) !== "name_taken")
          throw toSlackChatError("conversations.create", error);
      }
    }
    throw new SlackChatError(
      "name_taken",
      `conversations.create: ${base} and ${this.options.maxNameAttempts - 1} suffixes are taken`,
      false,
      "conversations.create",
    );
  }

  /** Invites everyone at once; when Slack refuses the batch, one by one so one bad id costs one. */
  private async invite(channel: string, members: readonly string[]): Promise<void> {
    const users = [...new Set(members)].filter((user) => /^[UW][A-Z0-9]+$/.test(user));
    if (users.length === 0) return;
    try {
      await this.client.conversations.invite({ channel, users: users.join(",") });
      return;
    } catch (error) {
      if (slackErrorCode(error) === "already_in_channel") return;
      if (users.length === 1)
        return this.logSkipped("conversations.invite", error, { user: users[0] });
    }
    for (const user of users) {
      await this.soft(
        "conversations.invite",
        () => this.client.conversations.invite({ channel, users: user }),
        {
          user,
        },
      );
    }
  }

  private post(
    channel: string,
    message: RenderedMessage,
    threadTs?: string,
    lane: PacerLane = "first",
  ): Promise<MessageRef> {
    return this.posts.run(
      channel,
      () =>
        this.call("chat.postMessage", async () => {
          const posted = await this.client.chat.postMessage({
            channel,
            ...message,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          });
          if (!posted.ts || !posted.channel) {
            throw new SlackChatError("no_ts", "chat.postMessage: no ts", false, "chat.postMessage");
          }
          return toMessageRef(posted.channel, posted.ts);
        }),
      lane,
    );
  }

  /**
   * chat.update, one at a time per message; a version overtaken by a newer one before its turn is
   * skipped, since the newer one carries everything (the card is a pure function of the state).
   */
  private update(ref: MessageRef, message: RenderedMessage): Promise<void> {
    const { channel, ts } = parseMessageRef(ref);
    const version = (this.updateVersions.get(ref) ?? 0) + 1;
    this.updateVersions.set(ref, version);
    return this.updates.run(ref, async () => {
      if (this.updateVersions.get(ref) !== version) return;
      await this.call("chat.update", () => this.client.chat.update({ channel, ts, ...message }));
      if (this.updateVersions.get(ref) === version) this.updateVersions.delete(ref);
    });
  }

  private async call<T>(method: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toSlackChatError(method, error);
    }
  }

  /** For the extras of a new channel: worth a log line, not worth failing the incident. */
  private async soft(
    method: string,
    work: () => Promise<unknown>,
    details: Record<string, unknown> = {},
  ) {
    try {
      await work();
    } catch (error) {
      this.logSkipped(method, error, details);
    }
  }

  private logSkipped(method: string, error: unknown, details: Record<string, unknown>): void {
    const failure = toSlackChatError(method, error);
    this.options.log?.(`${method} failed; going on without it`, { ...details, code: failure.code });
  }
}
