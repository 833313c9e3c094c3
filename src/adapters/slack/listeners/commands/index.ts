import type { App } from "@slack/bolt";
import type { SlackIncidentService } from "../../incident-service";
import { INCIDENT_COMMAND, incidentCommandListener } from "./incident-command";

export function registerCommands(app: App, service: SlackIncidentService): void {
  app.command(INCIDENT_COMMAND, incidentCommandListener(service));
}
