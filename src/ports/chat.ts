import type { Incident } from "../domain/incident";
import type { ItemState } from "../domain/incident-progress";
import type { MessageText } from "../domain/message-text";
import type { Diagnosis } from "../domain/step-result";

/**
 * Where responders talk. Slack implements it with the Web API; the terminal shell implements it as
 * text. The use cases hand it views (plain data) and never know how they are rendered. Every
 * string that crosses this port is plain text, never markup: each implementation escapes it for
 * its surface (Slack's `&amp; &lt; &gt;`, control characters out of a terminal), and only the
 * parts of a MessageText (a person, emphasis) become markup.
 */
export interface ChecklistItem {
  stepId: string;
  title: string;
  kind: "diagnostic" | "check" | "remediation" | "manual";
  /** Per host for steps that run; a single entry keyed "*" for manual items. */
  states: Record<string, ItemState>;
}

export interface IncidentCard {
  incident: Incident;
  elapsedMs: number;
  checklist: ChecklistItem[];
  diagnosis: Diagnosis | null;
  /** `triage` while only the triage steps' diagnosis is in (absent: final). */
  diagnosisStage?: "triage" | "final";
  /** The incident's page with its credential (PUBLIC_URL set), else absent or null. */
  pageUrl?: string | null;
}

export interface ApprovalCard {
  approvalId: string;
  incidentId: string;
  title: string;
  hosts: string[];
  commands: string[];
  precheck: string | null;
  state: "pending" | "approved" | "denied" | "expired";
  requestedBy: string;
  decidedBy: string | null;
  /** Each approval given so far, and how many distinct approvers the request needs in all. */
  approvals: { by: string; at: number }[];
  required: number;
  expiresAt: number;
  /** What happened after approval: precheck, action, verification per host. */
  outcome: string | null;
}

export interface NewIncidentChannel {
  name: string;
  topic: string;
  purpose: MessageText;
  /** Chat user ids to invite: the declarer and the responders. */
  members: string[];
}

/** Opaque reference to a posted message (Slack: channel + ts). */
export type MessageRef = string;

export interface Chat {
  /** Creates the incident channel; a taken name gets a suffix. Returns the channel id. */
  createIncidentChannel(input: NewIncidentChannel): Promise<string>;
  postIncidentCard(channel: string, card: IncidentCard): Promise<MessageRef>;
  updateIncidentCard(ref: MessageRef, card: IncidentCard): Promise<void>;
  /** A reply in the incident message's thread (step output, capped, as code). */
  postThreadReply(ref: MessageRef, text: MessageText, code?: string): Promise<void>;
  postMessage(channel: string, text: MessageText): Promise<MessageRef>;
  postApprovalCard(channel: string, card: ApprovalCard): Promise<MessageRef>;
  updateApprovalCard(ref: MessageRef, card: ApprovalCard): Promise<void>;
  uploadFile(
    channel: string,
    file: { filename: string; title: string; content: string },
  ): Promise<void>;
  /** Only this user sees it. */
  postEphemeral(channel: string, user: string, text: MessageText): Promise<void>;
  /** The channel's one-line topic (it names the severity, which can change). */
  setTopic(channel: string, topic: string): Promise<void>;
}
