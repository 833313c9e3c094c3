import type { App } from "@slack/bolt";
import { APPROVE_ACTION, DENY_ACTION } from "../../blocks/approval-card";
import type { SlackIncidentService } from "../../incident-service";
import { approvalButtonListener } from "./approval-buttons";

export function registerActions(app: App, service: SlackIncidentService): void {
  app.action(APPROVE_ACTION, approvalButtonListener(service, "approve"));
  app.action(DENY_ACTION, approvalButtonListener(service, "deny"));
}
