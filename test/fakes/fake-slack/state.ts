/**
 * What the fake Slack remembers between calls: channels, messages, pins, files and users. Enough
 * state that a wrong call fails the way Slack fails it (chat.update on an unknown ts, a taken
 * channel name, pinning twice).
 */
export interface FakeChannel {
  id: string;
  name: string;
  topic: string;
  purpose: string;
  members: Set<string>;
  isIm: boolean;
  created: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs: string | null;
  user: string;
  edited: number;
  pinned: boolean;
  files: string[];
}

export interface FakeFile {
  id: string;
  filename: string;
  title: string;
  length: number;
  content: string | null;
  channels: string[];
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
}

/** A JSON body posted to a `response_url` (Bolt's respond()). */
export interface FakeResponse {
  id: string;
  body: Record<string, unknown>;
}

export class FakeSlackState {
  readonly channels = new Map<string, FakeChannel>();
  readonly messages: FakeMessage[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly responses: FakeResponse[] = [];
  readonly users = new Map<string, { id: string; name: string }>();
  private sequence = 0;
  private lastTs = 0;

  constructor(readonly botUserId: string) {}

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${String(this.sequence).padStart(8, "0")}`;
  }

  /** Slack ts values are unique per channel and increase; microseconds make them readable. */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  }

  channelByName(name: string): FakeChannel | undefined {
    return [...this.channels.values()].find((channel) => channel.name === name);
  }

  /** Accepts a channel id, a `#name`/name, or a user id (a DM, opened on first use). */
  resolveChannel(ref: string): FakeChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    if (/^[UW][A-Z0-9]+$/.test(ref)) return this.openIm(ref);
    return this.channelByName(ref.replace(/^#/, ""));
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  /** Top-level messages of a channel, oldest first. */
  history(channel: string): FakeMessage[] {
    return this.messages.filter((message) => message.channel === channel && !message.threadTs);
  }

  replies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages.filter(
      (message) => message.channel === channel && message.threadTs === threadTs,
    );
  }

  private openIm(user: string): FakeChannel {
    const existing = [...this.channels.values()].find(
      (channel) => channel.isIm && channel.members.has(user),
    );
    if (existing) return existing;
    const channel: FakeChannel = {
      id: this.nextId("D"),
      name: user,
      topic: "",
      purpose: "",
      members: new Set([user, this.botUserId]),
      isIm: true,
      created: Math.floor(Date.now() / 1000),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }
}
