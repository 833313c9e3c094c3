import { webApi } from "@slack/bolt";

/**
 * A failed Slack call with a stable code and whether trying again can help. The announce worker
 * reads `retryable` (as it does for RemoteError): rate limits, 5xx and network trouble are worth
 * another try; Slack's refusals (channel_not_found, invalid_blocks, invalid_auth) are not.
 */
export class SlackChatError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly method: string,
  ) {
    super(message);
    this.name = "SlackChatError";
  }
}

/** Slack platform errors that clear up by themselves. */
const transientPlatformErrors = new Set([
  "ratelimited",
  "fatal_error",
  "internal_error",
  "service_unavailable",
  "request_timeout",
]);

export function toSlackChatError(method: string, error: unknown): SlackChatError {
  if (error instanceof SlackChatError) return error;
  const coded = error as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  switch (coded.code) {
    case webApi.ErrorCode.PlatformError: {
      const slackError = String(coded.data?.error ?? "unknown_error");
      return new SlackChatError(
        slackError,
        `${method}: ${slackError}`,
        transientPlatformErrors.has(slackError),
        method,
      );
    }
    case webApi.ErrorCode.RateLimitedError:
      return new SlackChatError("ratelimited", `${method}: ${message}`, true, method);
    case webApi.ErrorCode.HTTPError:
      return new SlackChatError(
        `http_${String(coded.statusCode)}`,
        `${method}: ${message}`,
        true,
        method,
      );
    case webApi.ErrorCode.RequestError:
      return new SlackChatError("request_failed", `${method}: ${message}`, true, method);
    default:
      // p-retry wraps the last failure; an unknown error is worth another try at the job level.
      return new SlackChatError("unknown", `${method}: ${message}`, true, method);
  }
}

export function slackErrorCode(error: unknown): string | null {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === "string" ? data.error : null;
}
