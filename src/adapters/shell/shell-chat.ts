import type {
  ApprovalCard,
  Chat,
  IncidentCard,
  MessageRef,
  NewIncidentChannel,
} from "../../ports/chat";
import { plainMessage, type MessageText } from "../../domain/message-text";
import { terminalText } from "./plain-text";
import {
  type CardLines,
  changedLines,
  renderApprovalCard,
  renderIncidentCard,
} from "./render-card";
import { renderThreadReply } from "./render-thread";

/** Where the shell's text goes; the REPL keeps the prompt intact around it. */
export interface ShellOutput {
  print(line: string): void;
}

/** Every line the bot "posts" starts with this, so tests and scripts can wait for it. */
export const BOT_PREFIX = "bot>";

export interface ShellChatOptions {
  /** Who is typing now: ephemeral messages for them read "(only you)". */
  currentUser: () => string;
  now?: () => number;
  /** A new incident channel exists; the REPL follows the declarer into it, as Slack would invite. */
  onChannelCreated?: (channel: string) => void;
  /** An approval card changed; the REPL offers `[a]pprove / [d]eny` while one is pending. */
  onApprovalCard?: (card: ApprovalCard, channel: string) => void;
  /** Longest file shown in full; the rest is counted. */
  fileLineCap?: number;
}

interface PostedMessage {
  channel: string;
  cardLines?: CardLines;
}

/**
 * The Chat port rendered as text in a terminal, in the spirit of Hubot's shell adapter: channels
 * are names the shell makes up, messages are lines, updates print only what changed, buttons
 * become a prompt. It keeps no incident state of its own: the store and timeline stay the truth.
 */
export class ShellChat implements Chat {
  private readonly messages = new Map<MessageRef, PostedMessage>();
  private readonly channels = new Set<string>();
  private readonly approvals = new Map<
    string,
    { card: ApprovalCard; channel: string; shown: readonly string[] }
  >();
  private nextRef = 1;

  constructor(
    private readonly out: ShellOutput,
    private readonly options: ShellChatOptions,
  ) {}

  async createIncidentChannel(input: NewIncidentChannel): Promise<string> {
    const channel = this.freeChannelName(input.name);
    this.channels.add(channel);
    this.say(channel, `channel created: ${input.topic}`);
    if (input.members.length > 0) this.say(channel, `invited: ${input.members.join(", ")}`);
    this.options.onChannelCreated?.(channel);
    return channel;
  }

  async postIncidentCard(channel: string, card: IncidentCard): Promise<MessageRef> {
    const cardLines = renderIncidentCard(card);
    const ref = this.remember({ channel, cardLines });
    for (const line of cardLines.values()) this.say(channel, line);
    return ref;
  }

  async updateIncidentCard(ref: MessageRef, card: IncidentCard): Promise<void> {
    const message = this.lookup(ref);
    const next = renderIncidentCard(card);
    const changed = changedLines(message.cardLines ?? new Map(), next);
    message.cardLines = next;
    if (changed.length === 0) return;
    // The header names the incident, so an update is never a bare checklist line.
    const header = next.get("header");
    if (header !== undefined && changed[0] !== header) this.say(message.channel, `~ ${header}`);
    for (const line of changed) this.say(message.channel, line);
  }

  async postThreadReply(ref: MessageRef, text: MessageText, code?: string): Promise<void> {
    const message = this.lookup(ref);
    for (const line of renderThreadReply(plainMessage(text), code)) this.say(message.channel, line);
  }

  async postMessage(channel: string, text: MessageText): Promise<MessageRef> {
    const ref = this.remember({ channel });
    for (const line of plainMessage(text).split("\n")) this.say(channel, line);
    return ref;
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    this.say(channel, `topic: ${topic}`);
  }

  async postApprovalCard(channel: string, card: ApprovalCard): Promise<MessageRef> {
    const ref = this.remember({ channel });
    this.showApproval(channel, card);
    return ref;
  }

  async updateApprovalCard(ref: MessageRef, card: ApprovalCard): Promise<void> {
    this.showApproval(this.lookup(ref).channel, card);
  }

  async uploadFile(
    channel: string,
    file: { filename: string; title: string; content: string },
  ): Promise<void> {
    const cap = this.options.fileLineCap ?? 400;
    const lines = file.content.replace(/\n+$/, "").split("\n");
    this.say(channel, `file ${file.filename}: ${file.title}`);
    for (const line of lines.slice(0, cap)) this.say(channel, `  | ${line}`);
    if (lines.length > cap) this.say(channel, `  | … ${lines.length - cap} more lines`);
  }

  async postEphemeral(channel: string, user: string, text: MessageText): Promise<void> {
    const who = user === this.options.currentUser() ? "you" : user;
    for (const line of plainMessage(text).split("\n")) this.say(channel, `(only ${who}) ${line}`);
  }

  /** Approvals still waiting for a human, oldest first. */
  pendingApprovals(): { card: ApprovalCard; channel: string }[] {
    return [...this.approvals.values()]
      .filter(({ card }) => card.state === "pending")
      .map(({ card, channel }) => ({ card, channel }));
  }

  /** An update repeats the state line and adds what is new (the decision, the outcome). */
  private showApproval(channel: string, card: ApprovalCard): void {
    const shown = this.approvals.get(card.approvalId)?.shown ?? [];
    const lines = renderApprovalCard(card, this.options.now?.() ?? Date.now());
    const [stateLine, ...rest] = lines;
    if (stateLine !== undefined) this.say(channel, stateLine);
    for (const line of rest) if (!shown.includes(line)) this.say(channel, line);
    this.approvals.set(card.approvalId, { card, channel, shown: [...shown, ...lines] });
    this.options.onApprovalCard?.(card, channel);
  }

  /** Every line goes out here, so none carries a control character a terminal would obey. */
  private say(channel: string, line: string): void {
    this.out.print(terminalText(`${BOT_PREFIX} [${channel}] ${line}`));
  }

  private remember(message: PostedMessage): MessageRef {
    const ref = `${message.channel}/${this.nextRef++}`;
    this.messages.set(ref, message);
    return ref;
  }

  /**
   * A ref from before this shell started (the store outlives the process) still names its channel,
   * so updates to it are shown in full rather than lost.
   */
  private lookup(ref: MessageRef): PostedMessage {
    const known = this.messages.get(ref);
    if (known) return known;
    const channel = ref.includes("/") ? ref.slice(0, ref.lastIndexOf("/")) : ref;
    const message: PostedMessage = { channel };
    this.messages.set(ref, message);
    return message;
  }

  private freeChannelName(name: string): string {
    const base = `#${name.replace(/^#/, "")}`;
    if (!this.channels.has(base)) return base;
    let suffix = 2;
    while (this.channels.has(`${base}-${suffix}`)) suffix++;
    return `${base}-${suffix}`;
  }
}
