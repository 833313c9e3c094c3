import type { RequestListener } from "node:http";
import {
  App,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  webApi,
  type Logger as SlackLogger,
} from "@slack/bolt";
import { BotIdentity, isBadToken } from "./bot-identity";
import { registerListeners } from "./listeners";
import type { SlackIncidentService } from "./incident-service";
import { slackTransport } from "./slack-transport";

export interface SlackAppOptions {
  botToken: string;
  /** HTTP mode: every request to /slack/events must carry a valid signature. */
  signingSecret?: string;
  /** When set, Socket Mode instead of HTTP. */
  appToken?: string;
  /** SLACK_API_URL; Slack's own when undefined. */
  apiUrl?: string;
  service: SlackIncidentService;
  /** How the WebClient retries one call (429 waits for Retry-After; 5xx back off). */
  retryConfig?: webApi.RetryOptions;
  /** Per-request timeout of Web API calls. Default 10 s. */
  requestTimeoutMs?: number;
  logLevel?: LogLevel;
  /** Where Bolt's, the Web API client's and the socket client's own messages go. */
  logger?: SlackLogger;
  /** Told of every Web API call of the client createSlackClient builds, and of every 429. */
  onApiCall?: (method: string, outcome: ApiCallOutcome) => void;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

/** ok; error (Slack answered ok:false); failed (no usable answer); rate_limited (one 429). */
export type ApiCallOutcome = "ok" | "error" | "failed" | "rate_limited";

export interface SlackApp {
  app: App;
  /** A Web API client with the bot token (for SlackChat): same base URL and retries as Bolt's. */
  client: webApi.WebClient;
  mode: "http" | "socket";
  /**
   * HTTP mode: Bolt's handler for /slack/events (signature check, ack, dispatch to listeners),
   * for the server on PORT to route to; Bolt listens on no port of its own. Null in Socket Mode.
   */
  requestListener: RequestListener | null;
  /** Verifies the token; in Socket Mode also opens the socket. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Retries within one announce attempt; the announce job's own retries cover longer outages. */
export const DEFAULT_SLACK_RETRY: webApi.RetryOptions = {
  retries: 4,
  factor: 2,
  minTimeout: 250,
  maxTimeout: 4000,
  randomize: true,
};

export class SlackConfigError extends Error {
  readonly code = "slack-config";
  readonly retryable = false;
}

/**
 * Builds the Bolt app: HTTP mode (Bolt's /slack/events, signatures verified: a bad one gets 401
 * and reaches no listener) or Socket Mode when an app token is given; the listeners; and one
 * error handler every listener error ends in.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const clientOptions = slackClientOptions(options);
  const logLevel = options.logLevel ?? LogLevel.WARN;
  const socket = options.appToken !== undefined;
  if (!socket && !options.signingSecret) {
    throw new SlackConfigError(
      "SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
    );
  }
  const receiver = socket
    ? new SocketModeReceiver({
        appToken: options.appToken ?? "",
        logLevel,
        ...(options.logger ? { logger: options.logger } : {}),
        installerOptions: socketInstallerOptions(options.apiUrl),
      })
    : new HTTPReceiver({
        signingSecret: options.signingSecret ?? "",
        endpoints: "/slack/events",
        logLevel,
        ...(options.logger ? { logger: options.logger } : {}),
        // Ack as soon as the listener calls ack(); the listener's slow work continues after.
        processBeforeResponse: false,
      });
  const socketReceiver = receiver instanceof SocketModeReceiver ? receiver : null;
  const client = createSlackClient(options);
  const identity = new BotIdentity(client, (error) =>
    options.log?.("auth.test failed; will try again", { error: String(error) }),
  );
  const app = new App({
    // Our own authorize instead of `token`: see BotIdentity for why Bolt's would not do.
    authorize: async () => ({ botToken: options.botToken, ...identity.current() }),
    receiver,
    clientOptions,
    logLevel,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  registerListeners(app, options.service);
  app.error(async (error) => {
    const original = (error as { original?: unknown }).original ?? error;
    options.log?.("slack listener failed", {
      code: error.code,
      error: original instanceof Error ? original.message : String(original),
    });
  });
  return {
    app,
    client,
    mode: socket ? "socket" : "http",
    // Bolt's App.init() gave the receiver the app, which is all its request listener needs.
    requestListener: receiver instanceof HTTPReceiver ? receiver.requestListener : null,
    start: async () => {
      await verifyToken(identity, options.log);
      if (socketReceiver) await app.start();
    },
    stop: async () => {
      if (!socketReceiver) return;
      const socketClosed = socketDisconnected(socketReceiver);
      await app.stop();
      await socketClosed;
    },
  };
}

/**
 * The Socket Mode client has a Web API client of its own (holding the app token) for
 * `apps.connections.open`; Bolt gives it `installerOptions.clientOptions`, so SLACK_API_URL must be
 * passed there too or that call goes to slack.com. Only the URL: the socket client's own retry
 * default (100 quick retries of apps.connections.open) is what carries it through reconnects.
 * A fresh object each time, since the socket client writes its defaults into the one it gets.
 */
function socketInstallerOptions(apiUrl: string | undefined) {
  return apiUrl ? { clientOptions: { slackApiUrl: withTrailingSlash(apiUrl) } } : {};
}

const SOCKET_CLOSE_WAIT_MS = 5000;

/**
 * Bolt's SocketModeReceiver.stop() only starts the WebSocket close handshake; waiting for the
 * client's "disconnected" lets stop() end with the socket closed, so a shutdown (or a test) leaves
 * nothing running. The client emits it even when it never connected. A peer that never answers
 * the close would hold stop() for the socket library's 30 s, longer than an orchestrator's usual
 * grace period, so the wait ends after SOCKET_CLOSE_WAIT_MS whatever happens.
 */
function socketDisconnected(receiver: SocketModeReceiver): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SOCKET_CLOSE_WAIT_MS);
    receiver.client.once("disconnected", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A wrong token stops start-up with a clear message; an unreachable Slack does not (commands are
 * still acknowledged and the announce jobs catch up once it is back).
 */
async function verifyToken(identity: BotIdentity, log: SlackAppOptions["log"]): Promise<void> {
  try {
    await identity.verify();
  } catch (error) {
    if (isBadToken(error)) {
      throw new SlackConfigError(`SLACK_BOT_TOKEN: Slack refused it (${String(error)})`);
    }
    log?.("Slack's Web API did not answer auth.test at start-up; going on", {
      error: String(error),
    });
  }
}

export type SlackClientOptions = Pick<
  SlackAppOptions,
  "botToken" | "apiUrl" | "retryConfig" | "requestTimeoutMs" | "logLevel" | "logger" | "onApiCall"
>;

/**
 * A Web API client configured exactly like the app's, for SlackChat. main.ts builds it first,
 * since the use cases (and so the app's listeners) need the Chat port before the app exists:
 * `client → SlackChat → lifecycle deps → slackIncidentService → createSlackApp`.
 */
export function createSlackClient(options: SlackClientOptions): webApi.WebClient {
  const settings = {
    ...slackClientOptions(options),
    logLevel: options.logLevel ?? LogLevel.WARN,
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const onApiCall = options.onApiCall;
  if (!onApiCall) return new webApi.WebClient(options.botToken, settings);
  const client = new CountedWebClient(options.botToken, settings, onApiCall);
  client.on(webApi.WebClientEvent.RATE_LIMITED, (_seconds: number, request: { url?: string }) =>
    onApiCall(methodOf(request.url), "rate_limited"),
  );
  return client;
}

/**
 * Every named method of the WebClient (chat.postMessage, …) ends in apiCall, bound when the client
 * is built, so overriding it in a subclass sees them all, with their final outcome after retries.
 */
class CountedWebClient extends webApi.WebClient {
  constructor(
    token: string,
    settings: webApi.WebClientOptions,
    private readonly onApiCall: (method: string, outcome: ApiCallOutcome) => void,
  ) {
    super(token, settings);
  }

  override async apiCall(
    method: string,
    options?: Record<string, unknown>,
  ): Promise<webApi.WebAPICallResult> {
    try {
      const result = await super.apiCall(method, options);
      this.onApiCall(method, "ok");
      return result;
    } catch (error) {
      const platform = (error as { code?: unknown }).code === webApi.ErrorCode.PlatformError;
      this.onApiCall(method, platform ? "error" : "failed");
      throw error;
    }
  }
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`. */
function methodOf(url: string | undefined): string {
  const last = (url ?? "").split("/").pop() ?? "";
  return /^[a-zA-Z.]{1,60}$/.test(last) ? last : "unknown";
}

function slackClientOptions(options: SlackClientOptions): webApi.WebClientOptions {
  return {
    retryConfig: options.retryConfig ?? DEFAULT_SLACK_RETRY,
    timeout: options.requestTimeoutMs ?? 10_000,
    fetch: slackTransport(),
    ...(options.apiUrl ? { slackApiUrl: withTrailingSlash(options.apiUrl) } : {}),
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
