import type { TextPart } from "../message-text";
import { alertLine, alertLink } from "./foreign-text";

const NAMES = { alertmanager: "Alertmanager", pagerduty: "PagerDuty" } as const;

export interface AlertEventDetails {
  integration: keyof typeof NAMES;
  status: "firing" | "repeat" | "resolved" | "attached";
  alert: string;
  url: string | null;
}

/**
 * What the channel is told about an alert, from the event's details: the alert's own title stays
 * text and its URL becomes a link back only on a surface that checks it.
 */
export function alertMessage(d: AlertEventDetails): TextPart[] {
  const name = NAMES[d.integration];
  const link = alertLink(d.url, d.alert);
  switch (d.status) {
    case "firing":
      return [
        `Opened by ${name} alert `,
        link,
        ". No commander yet: `/incident commander @me` takes it.",
      ];
    case "repeat":
      return [`${name} sent ${alertLine(d.alert)} again`];
    case "resolved":
      return [
        `${name} says `,
        link,
        " is resolved; the incident stays open until someone resolves it.",
      ];
    case "attached":
      return [
        `Alert storm: ${name} alert `,
        link,
        " is attached to this incident rather than opening another channel.",
      ];
  }
}
