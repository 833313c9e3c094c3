import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncidentPageLinks } from "../../../ports/incident-pages";

/**
 * The credential of one incident's page: HMAC-SHA256 of the incident id under
 * INCIDENT_PAGE_SECRET, base64url. Derived rather than stored, so every process (bot and workers)
 * makes the same link and nothing secret sits in Redis; it cannot be guessed or made for another
 * incident without the secret. A new secret revokes every link at once.
 */
export function pageCredential(secret: string, incidentId: string): string {
  return createHmac("sha256", secret).update(`incident-page:${incidentId}`).digest("base64url");
}

/** Compared in constant time: the answer's timing says nothing about how much of it was right. */
export function credentialMatches(secret: string, incidentId: string, given: string): boolean {
  const expected = Buffer.from(pageCredential(secret, incidentId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Constant-time equality of two secrets of any length (the operator's bearer token). */
export function sameSecret(given: string, expected: string): boolean {
  const key = "incident-bot-compare";
  const a = createHmac("sha256", key).update(given).digest();
  const b = createHmac("sha256", key).update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The query parameter that carries the credential. */
export const CREDENTIAL_PARAM = "key";

function incidentPagePath(incidentId: string): string {
  return `/incidents/${encodeURIComponent(incidentId)}`;
}

export function incidentPageLinks(publicUrl: string, secret: string): IncidentPageLinks {
  return {
    linkFor: (incidentId) =>
      `${publicUrl}${incidentPagePath(incidentId)}?${CREDENTIAL_PARAM}=${pageCredential(secret, incidentId)}`,
  };
}
