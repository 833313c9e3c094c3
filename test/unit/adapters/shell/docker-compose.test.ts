import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/** Docker does not run here, so the file is checked for what the deployment promises. */
const Service = z.object({
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
  profiles: z.array(z.string()).optional(),
  stdin_open: z.boolean().optional(),
  tty: z.boolean().optional(),
});
const Compose = z.object({
  services: z.record(z.string(), Service),
  volumes: z.record(z.string(), z.unknown()),
});

const compose = Compose.parse(
  parse(readFileSync(join(__dirname, "../../../../docker-compose.yml"), "utf8"), { merge: true }),
);
const service = (name: string) => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

const contractVariables = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "SLACK_API_URL",
  "PORT",
  "REDIS_URL",
  "INVENTORY",
  "PLAYBOOKS_DIR",
  "INCIDENT_RESPONDERS",
  "INCIDENT_APPROVERS",
  "PHASE_MINUTE_MS",
  "REDIS_PREFIX",
  "INCIDENT_REMINDERS",
  "LOG_LEVEL",
];

/** What one role reads beyond the shared variables. */
const roleVariables: Record<string, string[]> = {
  bot: [
    "ALERT_WEBHOOK_TOKEN",
    "PAGERDUTY_WEBHOOK_SECRET",
    "ALERT_DEFAULT_HOSTS",
    "ALERT_STORM_LIMIT",
    "ALERT_STORM_WINDOW_MINUTES",
  ],
  worker: ["METRICS_PORT"],
};

describe("docker-compose.yml", () => {
  it("runs redis with append-only persistence and a ping health check", () => {
    const redis = service("redis");
    expect(redis.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(redis.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(compose.volumes).toHaveProperty("redis-data");
  });

  it.each(["bot", "worker"])("starts the %s role only once redis is healthy", (name) => {
    const app = service(name);
    expect(app.command).toEqual(["node", "dist/src/main.js", "--role", name]);
    expect(app.depends_on?.redis?.condition).toBe("service_healthy");
    expect(app.depends_on?.build?.condition).toBe("service_completed_successfully");
    expect(app.profiles).toBeUndefined();
  });

  it.each(["bot", "worker"])("configures the %s with every variable of the contract", (name) => {
    const environment = service(name).environment ?? {};
    expect(Object.keys(environment).sort()).toEqual(
      [...contractVariables, ...(roleVariables[name] ?? [])].sort(),
    );
    expect(environment.REDIS_URL).toBe("redis://redis:6379");
  });

  it("checks the bot's health through its GET /healthz on PORT", () => {
    const probe = service("bot").healthcheck?.test ?? [];
    expect(probe.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
    expect(probe[3]).toContain("/healthz");
    expect(probe[3]).toContain("process.env.PORT");
  });

  it("keeps the interactive demo behind its own profile", () => {
    const demo = service("demo");
    expect(demo.profiles).toEqual(["demo"]);
    expect(demo.stdin_open).toBe(true);
    expect(demo.command?.join(" ")).toContain("npm run demo");
  });
});
