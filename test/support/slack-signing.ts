import { createHmac, randomUUID } from "node:crypto";

/**
 * Requests as Slack sends them to the bot's `/slack/events`: signed with the app's signing secret
 * (v0 = HMAC-SHA256 of `v0:timestamp:body`), slash commands form-encoded, interactivity as a
 * `payload=` form field holding JSON. The payloads themselves (`slashCommandFields`,
 * `blockActionPayload`) are also what a Socket Mode envelope carries, as a JSON object.
 */
export interface SignedHeaders {
  "content-type": string;
  "x-slack-request-timestamp": string;
  "x-slack-signature": string;
}

export function slackSignature(secret: string, timestamp: number, body: string): string {
  const digest = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return `v0=${digest}`;
}

export function signedHeaders(
  secret: string,
  body: string,
  contentType = "application/x-www-form-urlencoded",
  timestamp = Math.floor(Date.now() / 1000),
): SignedHeaders {
  return {
    "content-type": contentType,
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": slackSignature(secret, timestamp, body),
  };
}

export interface SlashCommand {
  text: string;
  user_id: string;
  channel_id: string;
  /** Where respond() posts; point it at the fake Slack (`fake.responseUrl()`). */
  response_url: string;
  command?: string;
  user_name?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  trigger_id?: string;
  api_app_id?: string;
}

/** The fields of a slash command: form-encoded over HTTP, a JSON object over Socket Mode. */
export function slashCommandFields(command: SlashCommand): Record<string, string> {
  return {
    token: "deprecated-verification-token",
    team_id: "T00000001",
    team_domain: "fake",
    channel_name: command.channel_id.toLowerCase(),
    user_name: command.user_id.toLowerCase(),
    command: "/incident",
    api_app_id: "A00000001",
    trigger_id: `${Date.now()}.${randomUUID()}`,
    ...stripUndefined(command),
  };
}

/** A slash command as Slack posts it over HTTP: its fields form-encoded. */
export function slashCommandBody(command: SlashCommand): string {
  return new URLSearchParams(slashCommandFields(command)).toString();
}

export interface ButtonClick {
  user_id: string;
  channel_id: string;
  message_ts: string;
  action_id: string;
  value: string;
  response_url: string;
  block_id?: string;
}

/** The `block_actions` payload of one button click: what Slack posts, and what Socket Mode sends. */
export function blockActionPayload(click: ButtonClick) {
  return {
    type: "block_actions",
    team: { id: "T00000001", domain: "fake" },
    user: { id: click.user_id, username: click.user_id.toLowerCase(), team_id: "T00000001" },
    api_app_id: "A00000001",
    token: "deprecated-verification-token",
    container: {
      type: "message",
      message_ts: click.message_ts,
      channel_id: click.channel_id,
      is_ephemeral: false,
    },
    trigger_id: `${Date.now()}.${randomUUID()}`,
    channel: { id: click.channel_id, name: click.channel_id.toLowerCase() },
    message: { type: "message", ts: click.message_ts, text: "" },
    response_url: click.response_url,
    actions: [
      {
        type: "button",
        action_id: click.action_id,
        block_id: click.block_id ?? "approval",
        value: click.value,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A button click as Slack posts it over HTTP: the payload as JSON in a `payload` form field. */
export function blockActionBody(click: ButtonClick): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(click)) }).toString();
}

export interface PostOptions {
  /** Signs with this secret instead (a wrong secret → 401). */
  secret: string;
  timestamp?: number;
}

/** POSTs a signed body to the bot; resolves with the HTTP status, body and elapsed time. */
export async function postSigned(
  eventsUrl: string,
  body: string,
  options: PostOptions,
): Promise<{ status: number; body: string; elapsedMs: number }> {
  const started = performance.now();
  const response = await fetch(eventsUrl, {
    method: "POST",
    headers: { ...signedHeaders(options.secret, body, undefined, options.timestamp) },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, elapsedMs: performance.now() - started };
}

export function postSlashCommand(eventsUrl: string, command: SlashCommand, options: PostOptions) {
  return postSigned(eventsUrl, slashCommandBody(command), options);
}

export function postButtonClick(eventsUrl: string, click: ButtonClick, options: PostOptions) {
  return postSigned(eventsUrl, blockActionBody(click), options);
}

function stripUndefined(record: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
