import type { ApprovalCard, Chat, IncidentCard, MessageRef } from "../../src/ports/chat";
import {
  plainMessage,
  textParts,
  type MessageText,
  type TextPart,
} from "../../src/domain/message-text";

export type ChatCall =
  | { kind: "createIncidentChannel"; name: string; members: string[] }
  | { kind: "postIncidentCard"; channel: string; card: IncidentCard }
  | { kind: "updateIncidentCard"; ref: MessageRef; card: IncidentCard }
  | { kind: "postThreadReply"; ref: MessageRef; text: string; parts: TextPart[]; code?: string }
  | { kind: "postMessage"; channel: string; text: string; parts: TextPart[] }
  | { kind: "postApprovalCard"; channel: string; card: ApprovalCard }
  | { kind: "updateApprovalCard"; ref: MessageRef; card: ApprovalCard }
  | { kind: "uploadFile"; channel: string; filename: string; content: string }
  | { kind: "postEphemeral"; channel: string; user: string; text: string; parts: TextPart[] }
  | { kind: "setTopic"; channel: string; topic: string };

/**
 * A Chat that records every call. `failing` makes every call throw (Slack is down), so tests can
 * check that events survive and announcements are retried.
 */
export class FakeChat implements Chat {
  readonly calls: ChatCall[] = [];
  failing = false;
  private n = 0;
  private failNext: ((call: ChatCall) => boolean) | null = null;

  /** The first later call that `matches` fails, once: Slack failing half-way through a job. */
  failOnce(matches: (call: ChatCall) => boolean): void {
    this.failNext = matches;
  }

  private record(call: ChatCall): void {
    if (this.failing) throw Object.assign(new Error("chat is down"), { retryable: true });
    if (this.failNext?.(call)) {
      this.failNext = null;
      throw Object.assign(new Error("chat failed once"), { retryable: true });
    }
    this.calls.push(call);
  }
  private ref(prefix: string): string {
    this.n += 1;
    return `${prefix}-${this.n}`;
  }

  async createIncidentChannel(input: { name: string; members: string[] }): Promise<string> {
    this.record({ kind: "createIncidentChannel", name: input.name, members: input.members });
    return `C-${input.name}`;
  }
  async postIncidentCard(channel: string, card: IncidentCard): Promise<MessageRef> {
    this.record({ kind: "postIncidentCard", channel, card });
    return this.ref(`${channel}/card`);
  }
  async updateIncidentCard(ref: MessageRef, card: IncidentCard): Promise<void> {
    this.record({ kind: "updateIncidentCard", ref, card });
  }
  async postThreadReply(ref: MessageRef, text: MessageText, code?: string): Promise<void> {
    this.record({
      kind: "postThreadReply",
      ref,
      ...recorded(text),
      ...(code !== undefined ? { code } : {}),
    });
  }
  async postMessage(channel: string, text: MessageText): Promise<MessageRef> {
    this.record({ kind: "postMessage", channel, ...recorded(text) });
    return this.ref(`${channel}/msg`);
  }
  async postApprovalCard(channel: string, card: ApprovalCard): Promise<MessageRef> {
    this.record({ kind: "postApprovalCard", channel, card });
    return this.ref(`${channel}/approval`);
  }
  async updateApprovalCard(ref: MessageRef, card: ApprovalCard): Promise<void> {
    this.record({ kind: "updateApprovalCard", ref, card });
  }
  async uploadFile(
    channel: string,
    file: { filename: string; title: string; content: string },
  ): Promise<void> {
    this.record({ kind: "uploadFile", channel, filename: file.filename, content: file.content });
  }
  async postEphemeral(channel: string, user: string, text: MessageText): Promise<void> {
    this.record({ kind: "postEphemeral", channel, user, ...recorded(text) });
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    this.record({ kind: "setTopic", channel, topic });
  }

  of<K extends ChatCall["kind"]>(kind: K): Extract<ChatCall, { kind: K }>[] {
    return this.calls.filter((c): c is Extract<ChatCall, { kind: K }> => c.kind === kind);
  }
}

/** The text as plain text (people as `@id`) for easy matching, and its parts as sent. */
function recorded(text: MessageText): { text: string; parts: TextPart[] } {
  return { text: plainMessage(text), parts: [...textParts(text)] };
}
