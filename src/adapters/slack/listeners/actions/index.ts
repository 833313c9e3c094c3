import type { App } from "@slack/bolt";
import { APPROVE_ACTION, DENY_ACTION } from "../../blocks/approval-card";
import type { SlackIncidentService } from "../../incident-service";
import { MANUAL_DONE_ACTION } from "../../blocks/incident-card";
import { approvalButtonListener } from "./approval-buttons";
import { manualItemDoneListener } from "./manual-item-done";

export function registerActions(app: App, service: SlackIncidentService): void {
  app.action(APPROVE_ACTION, approvalButtonListener(service, "approve"));
  app.action(DENY_ACTION, approvalButtonListener(service, "deny"));
  app.action(MANUAL_DONE_ACTION, manualItemDoneListener(service));
}
