import type { App } from "@slack/bolt";
import { appMentionListener } from "./app-mention";

export function registerEvents(app: App): void {
  app.event("app_mention", appMentionListener());
}
