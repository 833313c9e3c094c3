import { SOCKET_MODE_PATH } from "./socket-mode";
import type { FakeChannel, FakeSlackState } from "./state";

/**
 * The Web API methods the bot uses, answered the way Slack answers them: `{ ok: true, … }`, or
 * `{ ok: false, error }` with Slack's error codes for the mistakes a client can make.
 */
export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;

export class SlackMethodError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

export interface MethodContext {
  state: FakeSlackState;
  /** Base URL of the fake, for upload URLs. */
  baseUrl: string;
  /** A one-use ticket for a Socket Mode URL. */
  issueSocketTicket: () => string;
}

/** Methods that take the app-level token (xapp-) instead of the bot token. */
export const APP_TOKEN_METHODS: ReadonlySet<string> = new Set(["apps.connections.open"]);

type Handler = (args: Args, context: MethodContext) => MethodResult;

const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const MAX_MESSAGE_TEXT = 40000;
const MAX_TOPIC = 250;

export const methods: Record<string, Handler> = {
  "auth.test": (_args, { state }) => ({
    url: "https://fake.slack.test/",
    team: "Fake Team",
    user: "incident-bot",
    team_id: "T00000001",
    user_id: state.botUserId,
    bot_id: "B00000001",
  }),

  "apps.connections.open": (_args, { baseUrl, issueSocketTicket }) => {
    const socketUrl = new URL(SOCKET_MODE_PATH, baseUrl);
    socketUrl.protocol = "ws:";
    socketUrl.searchParams.set("ticket", issueSocketTicket());
    return { url: socketUrl.toString() };
  },

  "conversations.create": (args, { state }) => {
    const name = requireString(args, "name");
    if (name.length > 80) throw new SlackMethodError("invalid_name_maxlength");
    if (!/^[a-z0-9_-]+$/.test(name)) throw new SlackMethodError("invalid_name_specials");
    if (state.channelByName(name)) throw new SlackMethodError("name_taken");
    const channel: FakeChannel = {
      id: state.nextId("C"),
      name,
      topic: "",
      purpose: "",
      members: new Set([state.botUserId]),
      isIm: false,
      created: Math.floor(Date.now() / 1000),
    };
    state.channels.set(channel.id, channel);
    return { channel: channelJson(channel) };
  },

  "conversations.setTopic": (args, { state }) => {
    const channel = requireChannel(args, state);
    const topic = requireString(args, "topic", true);
    if (topic.length > MAX_TOPIC) throw new SlackMethodError("too_long");
    channel.topic = topic;
    return { channel: channelJson(channel) };
  },

  "conversations.setPurpose": (args, { state }) => {
    const channel = requireChannel(args, state);
    const purpose = requireString(args, "purpose", true);
    if (purpose.length > MAX_TOPIC) throw new SlackMethodError("too_long");
    channel.purpose = purpose;
    return { channel: channelJson(channel) };
  },

  "conversations.invite": (args, { state }) => {
    const channel = requireChannel(args, state);
    const users = requireString(args, "users")
      .split(",")
      .map((user) => user.trim())
      .filter((user) => user !== "");
    if (users.length === 0) throw new SlackMethodError("no_user");
    if (users.includes(state.botUserId)) throw new SlackMethodError("cant_invite_self");
    if (users.some((user) => !/^[UW][A-Z0-9]+$/.test(user))) {
      throw new SlackMethodError("user_not_found");
    }
    if (users.every((user) => channel.members.has(user))) {
      throw new SlackMethodError("already_in_channel");
    }
    for (const user of users) channel.members.add(user);
    return { channel: channelJson(channel) };
  },

  "conversations.info": (args, { state }) => ({
    channel: channelJson(requireChannel(args, state)),
  }),

  "chat.postMessage": (args, { state }) => {
    const channel = requireChannel(args, state);
    const { text, blocks } = messageContent(args);
    const threadTs = optionalString(args, "thread_ts");
    if (threadTs !== null && !state.message(channel.id, threadTs)) {
      throw new SlackMethodError("thread_not_found");
    }
    const ts = state.nextTs();
    state.messages.push({
      channel: channel.id,
      ts,
      text,
      blocks,
      threadTs,
      user: state.botUserId,
      edited: 0,
      pinned: false,
      files: [],
    });
    return { channel: channel.id, ts, message: { type: "message", text, blocks, ts } };
  },

  "chat.update": (args, { state }) => {
    const channel = requireChannel(args, state);
    const ts = requireString(args, "ts");
    const message = state.message(channel.id, ts);
    if (!message) throw new SlackMethodError("message_not_found");
    const { text, blocks } = messageContent(args);
    message.text = text;
    message.blocks = blocks;
    message.edited += 1;
    return { channel: channel.id, ts, text };
  },

  "chat.postEphemeral": (args, { state }) => {
    const channel = requireChannel(args, state);
    const user = requireString(args, "user");
    const { text, blocks } = messageContent(args);
    if (!channel.members.has(user) && !channel.isIm) {
      // Slack refuses ephemerals to people outside the channel; the bot sees it as an error.
      throw new SlackMethodError("user_not_in_channel");
    }
    state.ephemerals.push({ channel: channel.id, user, text, blocks });
    return { message_ts: state.nextTs() };
  },

  "pins.add": (args, { state }) => {
    const channel = requireChannel(args, state);
    const message = state.message(channel.id, requireString(args, "timestamp"));
    if (!message) throw new SlackMethodError("message_not_found");
    if (message.pinned) throw new SlackMethodError("already_pinned");
    message.pinned = true;
    return {};
  },

  "users.info": (args, { state }) => {
    const id = requireString(args, "user");
    if (!/^[UW][A-Z0-9]+$/.test(id)) throw new SlackMethodError("user_not_found");
    const user = state.users.get(id) ?? { id, name: id.toLowerCase() };
    return { user: { id: user.id, name: user.name, real_name: user.name, is_bot: false } };
  },

  "files.getUploadURLExternal": (args, { state, baseUrl }) => {
    const filename = requireString(args, "filename");
    const length = Number(requireString(args, "length"));
    if (!Number.isInteger(length) || length <= 0) throw new SlackMethodError("invalid_arguments");
    const id = state.nextId("F");
    state.files.set(id, { id, filename, title: filename, length, content: null, channels: [] });
    return { upload_url: `${baseUrl}upload/${id}`, file_id: id };
  },

  "files.completeUploadExternal": (args, { state }) => {
    const entries = parseJson(requireString(args, "files"));
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new SlackMethodError("invalid_arguments");
    }
    const channelId = optionalString(args, "channel_id") ?? optionalString(args, "channels");
    const channel = channelId === null ? null : (state.resolveChannel(channelId) ?? null);
    if (channelId !== null && channel === null) throw new SlackMethodError("channel_not_found");
    const files = entries.map((entry: unknown) => completeFile(entry, state, channel));
    if (channel) {
      state.messages.push({
        channel: channel.id,
        ts: state.nextTs(),
        text: optionalString(args, "initial_comment") ?? "",
        blocks: [],
        threadTs: optionalString(args, "thread_ts"),
        user: state.botUserId,
        edited: 0,
        pinned: false,
        files: files.map((file) => file.id),
      });
    }
    return { files };
  },
};

function completeFile(entry: unknown, state: FakeSlackState, channel: FakeChannel | null) {
  const { id, title } = (entry ?? {}) as { id?: unknown; title?: unknown };
  const file = typeof id === "string" ? state.files.get(id) : undefined;
  if (!file) throw new SlackMethodError("file_not_found");
  if (file.content === null) throw new SlackMethodError("file_upload_incomplete");
  if (typeof title === "string") file.title = title;
  if (channel) file.channels.push(channel.id);
  return { id: file.id, title: file.title, name: file.filename };
}

function messageContent(args: Args): { text: string; blocks: unknown[] } {
  const text = optionalString(args, "text") ?? "";
  const rawBlocks = args.blocks;
  const blocks = typeof rawBlocks === "string" ? parseJson(rawBlocks) : (rawBlocks ?? []);
  if (!Array.isArray(blocks)) throw new SlackMethodError("invalid_blocks_format");
  if (text === "" && blocks.length === 0) throw new SlackMethodError("no_text");
  if (text.length > MAX_MESSAGE_TEXT) throw new SlackMethodError("msg_too_long");
  if (blocks.length > MAX_BLOCKS) throw new SlackMethodError("invalid_blocks");
  if (blocks.some(blockTooLong)) throw new SlackMethodError("invalid_blocks");
  return { text, blocks };
}

/** Section text and fields are limited to 3,000 characters, headers to 150. */
function blockTooLong(block: unknown): boolean {
  const { type, text, fields } = (block ?? {}) as {
    type?: unknown;
    text?: { text?: unknown };
    fields?: Array<{ text?: unknown }>;
  };
  const length = (value: unknown) => (typeof value === "string" ? value.length : 0);
  if (type === "header") return length(text?.text) > 150;
  if (type !== "section") return false;
  return (
    length(text?.text) > MAX_SECTION_TEXT ||
    (fields ?? []).some((field) => length(field.text) > 2000) ||
    (fields ?? []).length > 10
  );
}

function requireChannel(args: Args, state: FakeSlackState): FakeChannel {
  const channel = state.resolveChannel(requireString(args, "channel"));
  if (!channel) throw new SlackMethodError("channel_not_found");
  return channel;
}

function requireString(args: Args, name: string, allowEmpty = false): string {
  const value = args[name];
  if (typeof value === "number") return String(value);
  if (typeof value !== "string" || (!allowEmpty && value === "")) {
    throw new SlackMethodError(name === "channel" ? "channel_not_found" : "invalid_arguments");
  }
  return value;
}

function optionalString(args: Args, name: string): string | null {
  const value = args[name];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value !== "" ? value : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SlackMethodError(`invalid_json: ${(error as Error).message}`);
  }
}

function channelJson(channel: FakeChannel) {
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isIm,
    is_im: channel.isIm,
    created: channel.created,
    topic: { value: channel.topic },
    purpose: { value: channel.purpose },
    num_members: channel.members.size,
  };
}
