import type { App } from "@slack/bolt";
import type { SlackIncidentService } from "../incident-service";
import { registerActions } from "./actions";
import { registerCommands } from "./commands";
import { registerEvents } from "./events";

/** One listener per file, registered by kind. */
export function registerListeners(app: App, service: SlackIncidentService): void {
  registerCommands(app, service);
  registerActions(app, service);
  registerEvents(app);
}
