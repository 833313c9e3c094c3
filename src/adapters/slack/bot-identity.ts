import type { webApi } from "@slack/bolt";
import { slackErrorCode } from "./slack-chat-error";

/** Slack's answers to auth.test that mean the token itself is wrong: no retry will help. */
const badTokenErrors = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
]);

export function isBadToken(error: unknown): boolean {
  return badTokenErrors.has(slackErrorCode(error) ?? "");
}

/**
 * Who the bot is (auth.test), looked up in the background. Bolt's own single-token authorization
 * calls auth.test once when the app is built and caches the promise, failure included: an outage
 * at that moment would fail every later request. Here a failure is forgotten and tried again on
 * the next request, and no request ever waits for the lookup, so acks stay fast while Slack's Web
 * API is down (the ids only serve Bolt's ignoreSelf for events).
 */
export class BotIdentity {
  private known: { botId?: string; botUserId?: string } = {};
  private pending: Promise<void> | null = null;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly onError: (error: unknown) => void,
  ) {}

  current(): { botId?: string; botUserId?: string } {
    if (this.known.botUserId === undefined && this.pending === null) {
      this.pending = this.lookup().finally(() => {
        this.pending = null;
      });
    }
    return this.known;
  }

  /** Resolves once looked up; rejects with Slack's error (the caller decides if it is fatal). */
  async verify(): Promise<void> {
    await this.lookup(true);
  }

  private async lookup(rethrow = false): Promise<void> {
    try {
      const result = await this.client.auth.test();
      this.known = {
        ...(result.bot_id ? { botId: result.bot_id } : {}),
        ...(result.user_id ? { botUserId: result.user_id } : {}),
      };
    } catch (error) {
      if (rethrow) throw error;
      this.onError(error);
    }
  }
}
