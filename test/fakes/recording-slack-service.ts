import type {
  Reply,
  SlackActor,
  SlackIncidentService,
} from "../../src/adapters/slack/incident-service";
import type { IncidentCommand } from "../../src/domain/incident-command";

/**
 * The use-case side of the Slack adapter as a recording stand-in, for tests about Slack's side of
 * the bot (over HTTP or Socket Mode): it keeps what reached it and answers as the test sets it.
 */
export class RecordingSlackService implements SlackIncidentService {
  readonly commands: Array<{ actor: SlackActor; command: IncidentCommand }> = [];
  readonly decisions: Array<{ actor: SlackActor; approvalId: string; decision: string }> = [];
  readonly ticks: Array<{ actor: SlackActor; incidentId: string; stepId: string }> = [];
  incidentChannels = new Set(["CINCIDENT"]);
  delayMs = 0;
  reply: Reply = null;
  failWith: Error | null = null;
  approvers = new Set(["UAPPROVER"]);

  async isIncidentChannel(channel: string) {
    return this.incidentChannels.has(channel);
  }
  async command(actor: SlackActor, command: IncidentCommand) {
    this.commands.push({ actor, command });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failWith) throw this.failWith;
    return this.reply;
  }
  async decide(actor: SlackActor, approvalId: string, decision: "approve" | "deny") {
    this.decisions.push({ actor, approvalId, decision });
    return this.approvers.has(actor.user)
      ? null
      : { text: "Only the incident approvers (INCIDENT_APPROVERS) can decide remediation." };
  }
  async tick(actor: SlackActor, incidentId: string, stepId: string) {
    this.ticks.push({ actor, incidentId, stepId });
    return null;
  }
}
