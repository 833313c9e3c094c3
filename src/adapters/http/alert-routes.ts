import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { AlertmanagerPayload, readAlertmanager } from "../../domain/alerts/alertmanager";
import type { AlertNotice } from "../../domain/alerts/alert-notice";
import { PagerDutyWebhook, readPagerDuty } from "../../domain/alerts/pagerduty";
import { alertRejected, receiveAlert, type AlertDeps } from "../../app/receive-alert";
import { BodyTooLargeError, readBody, sendJson, type HttpRoute } from "./http-route";

type Log = (message: string, details?: Record<string, unknown>) => void;

export interface AlertRouteOptions {
  deps: AlertDeps;
  /** ALERT_WEBHOOK_TOKEN: unset, the Alertmanager route answers 404. */
  alertmanagerToken?: string;
  /** PAGERDUTY_WEBHOOK_SECRET: unset, the PagerDuty route answers 404. */
  pagerDutySecret?: string;
  log?: Log;
}

/**
 * `POST /alerts/alertmanager` and `POST /alerts/pagerduty`. Each checks who is calling, parses
 * the body with zod and calls receiveAlert. The codes follow what the senders do with them:
 * Alertmanager and PagerDuty retry on 5xx and give up on 4xx, so 5xx means "nothing was stored,
 * try again" (Redis down), 2xx "stored", and 4xx a request that will never succeed as sent.
 */
export function alertRoutes(options: AlertRouteOptions): HttpRoute[] {
  return [
    {
      method: "POST",
      path: "/alerts/alertmanager",
      handle: (request, response) => alertmanager(options, request, response),
    },
    {
      method: "POST",
      path: "/alerts/pagerduty",
      handle: (request, response) => pagerDuty(options, request, response),
    },
  ];
}

async function alertmanager(
  options: AlertRouteOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const token = options.alertmanagerToken;
  if (!token) return sendJson(response, 404, { error: "no such route" });
  if (!bearerMatches(request.headers.authorization, token)) {
    alertRejected(options.deps, "alertmanager");
    return sendJson(response, 401, { error: "a valid Authorization: Bearer token is required" });
  }
  const body = await bodyOrRefusal(request, response);
  if (body === null) return;
  const parsed = AlertmanagerPayload.safeParse(json(body));
  if (!parsed.success) return refuse(options, response, "alertmanager", parsed.error.issues);
  await deliver(options, response, readAlertmanager(parsed.data));
}

async function pagerDuty(
  options: AlertRouteOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const secret = options.pagerDutySecret;
  if (!secret) return sendJson(response, 404, { error: "no such route" });
  const body = await bodyOrRefusal(request, response);
  if (body === null) return;
  if (!pagerDutySignatureMatches(body, request.headers["x-pagerduty-signature"], secret)) {
    alertRejected(options.deps, "pagerduty");
    return sendJson(response, 401, { error: "X-PagerDuty-Signature does not match" });
  }
  const parsed = PagerDutyWebhook.safeParse(json(body));
  if (!parsed.success) return refuse(options, response, "pagerduty", parsed.error.issues);
  const read = readPagerDuty(parsed.data);
  if (!read.ok) return refuse(options, response, "pagerduty", read.issues);
  if (!read.notice) {
    options.deps.metrics?.alertReceived("pagerduty", "ignored");
    return sendJson(response, 202, { status: "ignored" });
  }
  await deliver(options, response, read.notice);
}

async function deliver(
  options: AlertRouteOptions,
  response: ServerResponse,
  notice: AlertNotice,
): Promise<void> {
  try {
    const outcome = await receiveAlert(options.deps, notice);
    sendJson(response, outcome.status === "declared" ? 201 : 200, outcome);
  } catch (error) {
    options.deps.metrics?.alertReceived(notice.integration, "failed");
    options.log?.("alert not stored; the sender will retry", {
      integration: notice.integration,
      error: error instanceof Error ? error.message : String(error),
    });
    sendJson(response, 503, { error: "not stored; retry later" });
  }
}

function refuse(
  options: AlertRouteOptions,
  response: ServerResponse,
  integration: string,
  issues: readonly z.core.$ZodIssue[],
): void {
  alertRejected(options.deps, integration);
  sendJson(response, 400, {
    error: "the payload does not parse",
    issues: issues
      .slice(0, 20)
      .map((issue) => ({ path: issue.path.map(String), message: issue.message })),
  });
}

async function bodyOrRefusal(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Buffer | null> {
  try {
    return await readBody(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendJson(response, 413, { error: error.message });
    return null;
  }
}

/** Invalid JSON is a payload that will never parse: zod reports it like any other mismatch. */
function json(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match !== null && constantTimeEqual(match[1]?.trim() ?? "", token);
}

/**
 * `v1=<hex HMAC-SHA256 of the raw body>`, possibly several comma-separated (during a secret
 * rotation PagerDuty signs with each secret); one match is enough. Compared in constant time.
 */
export function pagerDutySignatureMatches(
  body: Buffer,
  header: string | string[] | undefined,
  secret: string,
): boolean {
  const expected = createHmac("sha256", secret).update(body).digest("hex");
  const signatures = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3));
  return signatures.some((signature) => constantTimeEqual(signature.toLowerCase(), expected));
}

function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
