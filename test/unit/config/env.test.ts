import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError, configFrom, loadConfig, parseDotEnv } from "../../../src/config/env";
import { DEFAULT_REMINDERS_BY_SEVERITY } from "../../../src/domain/phase-clock";

describe("configuration from the environment", () => {
  it("gives the CONTRACT's defaults for an empty environment", () => {
    const result = loadConfig({});
    expect(result).toEqual({
      ok: true,
      config: {
        slack: {
          botToken: undefined,
          signingSecret: undefined,
          appToken: undefined,
          apiUrl: undefined,
        },
        port: 3000,
        redisUrl: "redis://127.0.0.1:6379",
        redisPrefix: "incident-bot",
        inventoryPath: "./inventory.yml",
        playbooksDir: "./playbooks",
        responders: [],
        approvers: [],
        approvalsRequired: 1,
        operators: [],
        phaseMinuteMs: 60000,
        reminders: DEFAULT_REMINDERS_BY_SEVERITY,
        alerts: {
          webhookToken: undefined,
          pagerDutySecret: undefined,
          defaultHosts: [],
          stormLimit: 5,
          stormWindowMinutes: 10,
        },
        page: { publicUrl: undefined, secret: undefined, listToken: undefined },
        metricsPort: undefined,
        logLevel: "info",
        cacheDir: join(homedir(), ".cache", "incident-bot"),
      },
    });
  });

  it("puts the command line's cache under XDG_CACHE_HOME, HOME, or INCIDENT_BOT_CACHE_DIR", () => {
    const cacheDir = (env: Record<string, string>) => configFrom(env).cacheDir;
    expect(cacheDir({ HOME: "/home/op" })).toBe("/home/op/.cache/incident-bot");
    expect(cacheDir({ HOME: "/home/op", XDG_CACHE_HOME: "/var/cache/op" })).toBe(
      "/var/cache/op/incident-bot",
    );
    // The XDG spec: a relative XDG_CACHE_HOME is ignored.
    expect(cacheDir({ HOME: "/home/op", XDG_CACHE_HOME: "cache" })).toBe(
      "/home/op/.cache/incident-bot",
    );
    expect(cacheDir({ XDG_CACHE_HOME: "/x", INCIDENT_BOT_CACHE_DIR: "/tmp/ib" })).toBe("/tmp/ib");
    expect(cacheDir({ INCIDENT_BOT_CACHE_DIR: "/tmp/ib", INCIDENT_BOT_CACHE: "off" })).toBeNull();
    expect(cacheDir({ INCIDENT_BOT_CACHE: " Off " })).toBeNull();
    const refused = loadConfig({ INCIDENT_BOT_CACHE: "no" });
    expect(refused.ok ? [] : refused.problems).toEqual([
      expect.stringMatching(/^INCIDENT_BOT_CACHE: /),
    ]);
  });

  it("takes a reminder cadence per severity, keeping the runbook's for the others", () => {
    const config = configFrom({ INCIDENT_REMINDERS: " sev1=5/10/30, sev3=15/30/120 " });
    expect(config.reminders).toEqual({
      sev1: { immediate: 5, "short-term": 10, "long-term": 30 },
      sev2: { immediate: 5, "short-term": 15, "long-term": 60 },
      sev3: { immediate: 15, "short-term": 30, "long-term": 120 },
    });
    const result = loadConfig({ INCIDENT_REMINDERS: "sev4=1/2/3,sev1=0/15/60,sev2=5/15" });
    expect(!result.ok && result.problems).toEqual([
      expect.stringMatching(/^INCIDENT_REMINDERS: `sev4=1\/2\/3`: expected SEVERITY=/),
      expect.stringMatching(/^INCIDENT_REMINDERS: `sev1=0\/15\/60`/),
      expect.stringMatching(/^INCIDENT_REMINDERS: `sev2=5\/15`/),
    ]);
  });

  it("reads every variable and splits the id lists", () => {
    const result = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_API_URL: "http://127.0.0.1:9999/api/",
      PORT: "8080",
      INCIDENT_APPROVERS: "U1, U2,,",
      PHASE_MINUTE_MS: "50",
      INVENTORY: "lab/inventory.yml",
    });
    expect(result.ok && result.config).toMatchObject({
      slack: { botToken: "xoxb-1", apiUrl: "http://127.0.0.1:9999/api/" },
      port: 8080,
      approvers: ["U1", "U2"],
      phaseMinuteMs: 50,
      inventoryPath: "lab/inventory.yml",
    });
  });

  it("reads the incident page's settings, and wants a secret with PUBLIC_URL", () => {
    const secret = "s".repeat(32);
    const page = configFrom({
      PUBLIC_URL: "https://bot.example/",
      INCIDENT_PAGE_SECRET: secret,
      INCIDENT_LIST_TOKEN: "t".repeat(16),
    }).page;
    expect(page).toEqual({
      publicUrl: "https://bot.example",
      secret,
      listToken: "t".repeat(16),
    });
    const problems = (env: Record<string, string>) => {
      const result = loadConfig(env);
      return result.ok ? [] : result.problems;
    };
    expect(problems({ PUBLIC_URL: "https://bot.example" })).toEqual([
      "INCIDENT_PAGE_SECRET: required with PUBLIC_URL (it keys the incident links)",
    ]);
    expect(problems({ PUBLIC_URL: "ftp://x", INCIDENT_PAGE_SECRET: "short" })).toHaveLength(2);
  });

  it("lists every problem at once", () => {
    const result = loadConfig({ PORT: "http", REDIS_URL: "http://x", PHASE_MINUTE_MS: "0" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "REDIS_URL",
      "PHASE_MINUTE_MS",
    ]);
  });

  it("takes a REDIS_PREFIX for one deployment and refuses one with a colon", () => {
    expect(configFrom({ REDIS_PREFIX: "demo-2" }).redisPrefix).toBe("demo-2");
    const result = loadConfig({ REDIS_PREFIX: "a:b" });
    expect(!result.ok && result.problems[0]).toMatch(/^REDIS_PREFIX: .*no ':'/);
  });

  it("throws every problem at once as a ConfigError when built with configFrom", () => {
    expect(configFrom({ PHASE_MINUTE_MS: "5" }).phaseMinuteMs).toBe(5);
    const thrown = (() => {
      try {
        configFrom({ PORT: "http", PHASE_MINUTE_MS: "0" });
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems.map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "PHASE_MINUTE_MS",
    ]);
  });

  it("parses .env files with comments, export and quotes", () => {
    expect(
      parseDotEnv("# c\nexport A=1\nB = \"two words\"\nC='x # y'\nD=plain # note\nnot a line\n"),
    ).toEqual({ A: "1", B: "two words", C: "x # y", D: "plain" });
  });
});

describe("LOG_LEVEL", () => {
  it("takes pino's level names in any case and refuses others", () => {
    expect(configFrom({ LOG_LEVEL: "DEBUG" }).logLevel).toBe("debug");
    const refused = loadConfig({ LOG_LEVEL: "loud" });
    expect(refused.ok ? [] : refused.problems).toEqual([expect.stringMatching(/^LOG_LEVEL: /)]);
  });
});
