import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { createPromMetrics } from "../../../src/adapters/metrics";

const dir = join(__dirname, "../../../monitoring");

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Names a PromQL expression uses, histogram series mapped back to their metric. */
function metricsIn(expr: string): string[] {
  return (expr.match(/incident_bot_[a-z_]+/g) ?? []).map((name) =>
    name.replace(/_(bucket|count|sum)$/, ""),
  );
}

/**
 * The Prometheus rules and the Grafana dashboard shipped in monitoring/ parse, and every bot metric
 * they use is one the bot registers (a renamed metric would leave them silently empty).
 */
describe("monitoring/", () => {
  const registered = new Set(
    createPromMetrics()
      .registry.getMetricsAsArray()
      .map((metric) => metric.name),
  );

  test("the alert rules parse, each with an expression, a severity and a summary", () => {
    const rules = parse(readFileSync(join(dir, "prometheus-rules.yml"), "utf8")) as {
      groups: { name: string; rules: Rule[] }[];
    };
    const all = rules.groups.flatMap((group) => group.rules);
    expect(all.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        "IncidentBotQueueBacklog",
        "IncidentBotAnnouncementsFailed",
        "IncidentBotSlackRateLimited",
      ]),
    );
    for (const rule of all) {
      expect(rule.labels?.severity).toBeDefined();
      expect(rule.annotations?.summary).toBeDefined();
      const used = metricsIn(rule.expr);
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect(registered).toContain(name);
    }
  });

  test("the dashboard parses and every panel queries metrics the bot serves", () => {
    const dashboard = JSON.parse(readFileSync(join(dir, "grafana-dashboard.json"), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        for (const name of metricsIn(target.expr)) expect(registered).toContain(name);
      }
    }
  });
});
