/** The Slack adapter's public surface, for main.ts. */
export { SlackChat, type SlackChatOptions } from "./slack-chat";
export { SlackChatError } from "./slack-chat-error";
export {
  createSlackApp,
  createSlackClient,
  DEFAULT_SLACK_RETRY,
  SlackConfigError,
  type SlackApp,
  type SlackAppOptions,
  type SlackClientOptions,
} from "./slack-app";
export {
  slackIncidentService,
  type Reply,
  type SlackActor,
  type SlackIncidentService,
} from "./incident-service";
