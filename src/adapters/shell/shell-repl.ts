import { BOT_PREFIX, type ShellChat } from "./shell-chat";
import type { Terminal } from "./terminal";

/** Who is typing, and where: the shell's stand-ins for Slack's user_id and channel_id. */
export interface ShellSession {
  user: string;
  channel: string;
}

export type ApprovalDecision = "approve" | "deny";

/**
 * What the REPL needs from the bot: the same use cases Slack's listeners call. Replies (ephemeral
 * or not) come back through the Chat port, never as return values, exactly as in Slack.
 */
export interface ShellBackend {
  /** The text after `/incident`, typed by `session.user` in `session.channel`. */
  incident(session: ShellSession, text: string): Promise<void>;
  /** The `[a]pprove / [d]eny` answer, as Slack's button would send it. */
  decide(session: ShellSession, approvalId: string, decision: ApprovalDecision): Promise<void>;
  /** A manual checklist item done, as Slack's checkbox would say. */
  tick(session: ShellSession, stepId: string): Promise<void>;
}

export const SHELL_PREFIX = "shell>";
const DEFAULT_WAIT_MS = 120_000;

export const shellHelp = [
  "/incident …          the bot's commands (/incident help lists them)",
  "a | approve [ID]     approve the first pending request (or the one whose id ends in ID)",
  "d | deny [ID]        deny it",
  "/tick STEP           tick a manual checklist item of this channel's incident",
  "/user NAME           type as someone else (try the approval rules)",
  "/join CHANNEL        move to another channel (#ops, an incident channel)",
  "/wait TEXT [SECONDS] wait until the bot prints a line containing TEXT (for scripts)",
  "/quit                leave (Ctrl-C and Ctrl-D too)",
];

/**
 * The read-eval-print loop: one typed line at a time, in order, so a piped script behaves like a
 * person typing. It ends on EOF, `/quit` or Ctrl-C, and then returns; the caller closes the rest.
 */
export class ShellRepl {
  private waitCursor = 0;
  private stopped = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly chat: ShellChat,
    private readonly backend: ShellBackend,
    readonly session: ShellSession,
  ) {}

  /** Called by the chat when the bot opens an incident channel: follow the declarer into it. */
  joined(channel: string): void {
    this.session.channel = channel;
    this.say(`you are in ${channel}`);
    this.refreshPrompt();
  }

  async run(): Promise<void> {
    this.terminal.onInterrupt(() => this.stop());
    this.refreshPrompt();
    for (;;) {
      const line = await this.terminal.nextLine();
      if (line === null || this.stopped) break;
      await this.handle(line.trim());
      if (this.stopped) break;
      this.refreshPrompt();
    }
    this.stopped = true;
  }

  stop(): void {
    this.stopped = true;
    this.terminal.close();
  }

  async handle(line: string): Promise<void> {
    if (line === "") return;
    const [word = "", ...restWords] = line.split(/\s+/);
    const rest = restWords.join(" ");
    try {
      await this.dispatch(word.toLowerCase(), rest, line);
    } catch (error) {
      // A failing command is reported and the shell goes on, as Slack would show an error reply.
      this.say(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async dispatch(word: string, rest: string, line: string): Promise<void> {
    switch (word) {
      case "/incident":
        return this.backend.incident({ ...this.session }, rest);
      case "a":
      case "approve":
      case "/approve":
        return this.decide("approve", rest);
      case "d":
      case "deny":
      case "/deny":
        return this.decide("deny", rest);
      case "/tick":
        if (!/^[a-z][a-z0-9-]{0,62}$/.test(rest)) return this.say("usage: /tick STEP-ID");
        return this.backend.tick({ ...this.session }, rest);
      case "/user":
        return this.switchUser(rest);
      case "/join":
        return this.join(rest);
      case "/wait":
        return this.wait(rest);
      case "/quit":
      case "/exit":
        return this.stop();
      case "/help":
        for (const help of shellHelp) this.say(help);
        return;
      default:
        this.say(`not a command: ${line.slice(0, 60)} (try /help or /incident help)`);
    }
  }

  private async decide(decision: ApprovalDecision, id: string): Promise<void> {
    const chosen = this.choose(id);
    if (!chosen) {
      this.say(id === "" ? "nothing is waiting for approval" : `no pending approval matches ${id}`);
      return;
    }
    this.say(`${this.session.user} answers ${decision} to ${chosen.card.approvalId}`);
    await this.backend.decide(
      { user: this.session.user, channel: chosen.channel },
      chosen.card.approvalId,
      decision,
    );
  }

  /**
   * Without an id: the first request still pending, preferring this channel (a playbook asks for
   * its gentlest remediation first). With one: the full id, or its end (`a restart`).
   */
  private choose(id: string) {
    const pending = this.chat.pendingApprovals();
    if (id === "") {
      return pending.find((p) => p.channel === this.session.channel) ?? pending[0];
    }
    return (
      pending.find((p) => p.card.approvalId === id) ??
      pending.find((p) => p.card.approvalId.endsWith(`-${id}`))
    );
  }

  private switchUser(name: string): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name)) {
      this.say("usage: /user NAME (letters, digits, . _ -)");
      return;
    }
    this.session.user = name;
    this.say(`you are now ${name}`);
  }

  private join(name: string): void {
    if (!/^#?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name)) {
      this.say("usage: /join CHANNEL");
      return;
    }
    this.session.channel = name.startsWith("#") ? name : `#${name}`;
    this.say(`you are in ${this.session.channel}`);
  }

  /**
   * `/wait TEXT [SECONDS]`: waits for a bot line. Each wait starts after the line the previous
   * wait matched, so a script reads the conversation forward like a person would.
   */
  private async wait(args: string): Promise<void> {
    const match = /^(.*?)(?:\s+(\d+))?$/.exec(args);
    const text = match?.[1]?.trim() ?? "";
    if (text === "") {
      this.say("usage: /wait TEXT [SECONDS]");
      return;
    }
    const timeoutMs = match?.[2] ? Number(match[2]) * 1000 : DEFAULT_WAIT_MS;
    const found = await this.terminal.waitFor(
      (line) => line.startsWith(BOT_PREFIX) && line.includes(text),
      this.waitCursor,
      timeoutMs,
    );
    if (found === null) {
      this.say(`gave up waiting for "${text}" after ${Math.round(timeoutMs / 1000)}s`);
      return;
    }
    this.waitCursor = found;
  }

  private say(text: string): void {
    this.terminal.print(`${SHELL_PREFIX} ${text}`);
  }

  /** Called by the chat when an approval card changes: the prompt shows `[a/d]` while one waits. */
  approvalsChanged(): void {
    this.refreshPrompt();
  }

  private refreshPrompt(): void {
    const pending = this.chat.pendingApprovals().length > 0 ? " [a/d]" : "";
    this.terminal.setPrompt(`${this.session.user} ${this.session.channel}${pending}> `);
  }
}
