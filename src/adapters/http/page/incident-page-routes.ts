import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  getIncidentView,
  openAndRecentIncidents,
  type IncidentReadDeps,
} from "../../../app/get-incident-view";
import { IncidentId } from "../../../domain/incident";
import type { IncidentPageLinks } from "../../../ports/incident-pages";
import type { HttpRoute } from "../http-route";
import { CREDENTIAL_PARAM, credentialMatches, sameSecret } from "./page-credential";
import { knownZone } from "./page-time";
import { renderIncidentList } from "./render-incident-list";
import { renderIncidentPage } from "./render-incident-page";

export interface IncidentPageOptions {
  read: IncidentReadDeps;
  /** INCIDENT_PAGE_SECRET: the key of every incident's credential. */
  secret: string;
  /** INCIDENT_LIST_TOKEN: unset, GET /incidents answers 404. */
  listToken?: string;
  /** Links for the list (PUBLIC_URL); without PUBLIC_URL the list links relative to this host. */
  links: IncidentPageLinks;
}

const PAGE_PREFIX = "/incidents/";
const LIST_PATH = "/incidents";

/**
 * `GET /incidents/<id>?key=…`: one incident's page for whoever holds its link, and
 * `GET /incidents`: the list for the holder of the operator's bearer token. Read-only: no method
 * but GET is routed here, and nothing is written. The credential is checked before the store is
 * read, so an answer never says whether an incident exists to someone without its link.
 */
export function incidentPageRoutes(options: IncidentPageOptions): HttpRoute[] {
  return [
    { method: "GET", path: PAGE_PREFIX, prefix: true, handle: (q, r) => servePage(options, q, r) },
    { method: "GET", path: LIST_PATH, handle: (q, r) => serveList(options, q, r) },
  ];
}

async function servePage(
  options: IncidentPageOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const id = IncidentId.safeParse(decodeSegment(url.pathname.slice(PAGE_PREFIX.length)));
  const key = url.searchParams.get(CREDENTIAL_PARAM);
  if (!key) return refuse(response, 401, "This page needs the link from the incident card.");
  if (!id.success || !credentialMatches(options.secret, id.data, key)) {
    return refuse(response, 403, "This link is not valid for this incident.");
  }
  const view = await getIncidentView(options.read, id.data);
  if (!view) return refuse(response, 404, "No such incident.");
  const nonce = newNonce();
  const zone = knownZone(url.searchParams.get("tz"));
  sendHtml(response, 200, renderIncidentPage(view, { nonce, zone, query: url.search }), nonce);
}

async function serveList(
  options: IncidentPageOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!options.listToken) return refuse(response, 404, "Not found.");
  const header = request.headers.authorization ?? "";
  const token = /^Bearer (.+)$/i.exec(header)?.[1] ?? "";
  if (!sameSecret(token, options.listToken)) {
    response.setHeader("www-authenticate", 'Bearer realm="incident-bot"');
    return refuse(response, 401, "The list needs the operator's token.");
  }
  const incidents = await openAndRecentIncidents(options.read);
  const nonce = newNonce();
  sendHtml(response, 200, renderIncidentList(incidents, options.links.linkFor, nonce), nonce);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return "";
    throw error;
  }
}

function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Nothing loads from anywhere; only the page's own style and script (with this response's nonce)
 * apply; no frame, form, base or plugin. Inline SVG needs nothing more.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function sendHtml(response: ServerResponse, status: number, body: string, nonce: string): void {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": contentSecurityPolicy(nonce),
    "x-content-type-options": "nosniff",
    // The link carries the credential: it must not leave in a Referer or sit in a cache.
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
  });
  response.end(body);
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  response.end(`${message}\n`);
}
