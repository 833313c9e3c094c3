import { IncidentId } from "./incident";

/**
 * A readable, sortable incident id: `inc-YYYYMMDD-<title words>-<suffix>`. The caller supplies the
 * random suffix so this stays pure; the result is a valid BullMQ job-id part (no ':', not digits).
 */
export function makeIncidentId(declaredAt: number, title: string, suffix: string): IncidentId {
  const day = new Date(declaredAt).toISOString().slice(0, 10).replaceAll("-", "");
  const words = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const tail = [words, suffix.toLowerCase().replace(/[^a-z0-9]/g, "")].filter(Boolean).join("-");
  return IncidentId.parse(`inc-${day}-${tail || "incident"}`);
}

/** The incident channel's name: Slack allows lower-case, digits, dashes, at most 80 characters. */
export function incidentChannelName(id: IncidentId): string {
  return id.slice(0, 80);
}
