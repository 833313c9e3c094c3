import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LogLevel } from "@slack/bolt";
import { startHttpServer, type HttpServer } from "../../../src/adapters/http";
import { createSlackClient, SlackChat } from "../../../src/adapters/slack";
import { loadConfig } from "../../../src/config/env";
import type { KnownHost } from "../../../src/domain/alerts/alert-notice";
import type { Incident } from "../../../src/domain/incident";
import { alertRoutesOf, startRuntime, type Runtime } from "../../../src/main";
import type { PlaybookRunner } from "../../../src/ports/playbook-runner";
import { startFakeSlack, type FakeSlack } from "../../fakes/fake-slack";
import { uniquePrefix } from "../../support/redis";
import { waitFor } from "../lifecycle/runtime";

export const ALERT_TOKEN = "am-webhook-token-5c1f";
export const PD_SECRET = "pd-webhook-secret-77aa";

export const HOSTS: KnownHost[] = [
  { name: "proxy-1", address: "10.0.0.11" },
  { name: "proxy-2", address: "10.0.0.12" },
  { name: "proxy-3", address: "10.0.0.13" },
];

/** The alert tests are about intake: the playbook step is the queue's, not SSH's. */
const noPlaybooks: PlaybookRunner = {
  getPlaybook: async () => null,
  resolveHosts: async () => [],
  runHostSteps: () => Promise.reject(new Error("no playbooks in this test")),
  runRemediation: () => Promise.reject(new Error("no playbooks in this test")),
  planCommands: () => [],
};

export function fixture(name: string): Record<string, unknown> {
  const path = join(__dirname, "../../fixtures/alerts", name);
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

export interface AlertBot {
  runtime: Runtime;
  slack: FakeSlack;
  server: HttpServer;
  url: string;
  /** The stored incident, once the declare job has saved it (throws when it never is). */
  incident(id: string | null): Promise<Incident>;
  /** The texts the fake Slack got in a channel. */
  messagesIn(channel: string | null): string[];
  close(): Promise<void>;
}

/**
 * The bot's alert side as main.ts wires it: the real runtime on Redis with its workers, SlackChat
 * to the fake Slack, and the routes on a real HTTP server.
 */
export async function startAlertBot(input: {
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<AlertBot> {
  const slack = await startFakeSlack();
  const loaded = loadConfig({
    REDIS_URL: input.redisUrl,
    ALERT_WEBHOOK_TOKEN: ALERT_TOKEN,
    PAGERDUTY_WEBHOOK_SECRET: PD_SECRET,
    ALERT_DEFAULT_HOSTS: "proxy-3",
    INCIDENT_RESPONDERS: "URESPONDER",
    // Most tests declare many groups; the storm test sets its own limit.
    ALERT_STORM_LIMIT: "1000",
    ...input.env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const client = createSlackClient({
    botToken: slack.token,
    apiUrl: slack.apiUrl,
    retryConfig: { retries: 1, minTimeout: 20, maxTimeout: 50 },
    logLevel: LogLevel.ERROR,
  });
  const runtime = await startRuntime({
    config: loaded.config,
    chat: new SlackChat(client, { minPostIntervalMs: 0, minUpdateIntervalMs: 0 }),
    runner: noPlaybooks,
    keyPrefix: uniquePrefix("alerts"),
    queue: { announceBackoffMs: 100, announceAttempts: 15 },
    log: () => undefined,
  });
  const server = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    routes: alertRoutesOf(loaded.config, runtime, HOSTS),
  });
  return {
    runtime,
    slack,
    server,
    url: `http://127.0.0.1:${server.port}`,
    // An alert's incident is saved by the declare job just after the answer: wait for it.
    incident: (id) =>
      waitFor(`incident ${id}`, async () => (id ? runtime.deps.incidents.get(id) : null)),
    messagesIn: (channel) =>
      slack.state.messages.filter((m) => m.channel === channel).map((m) => m.text),
    close: async () => {
      await server.close();
      await runtime.close();
      await slack.stop();
    },
  };
}

export function postAlertmanager(
  url: string,
  body: unknown,
  token: string | null = ALERT_TOKEN,
): Promise<Response> {
  return fetch(`${url}/alerts/alertmanager`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A group of the fixture under another groupKey (and so another incident). */
export function alertGroup(groupKey: string, status: "firing" | "resolved" = "firing") {
  const payload = fixture("alertmanager-firing.json");
  const alerts = (payload.alerts as Record<string, unknown>[]).map((a) => ({ ...a, status }));
  return { ...payload, groupKey, status, alerts };
}
