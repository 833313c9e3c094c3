/**
 * Where an incident's read-only page is: the link the card and the resolve message carry. The
 * link holds the incident's own credential, so whoever has the link can read that incident only.
 */
export interface IncidentPageLinks {
  linkFor(incidentId: string): string;
}
