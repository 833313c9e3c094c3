import { matchHosts } from "../../../../src/domain/alerts/alert-notice";
import {
  AlertmanagerPayload,
  alertmanagerSeverity,
  readAlertmanager,
} from "../../../../src/domain/alerts/alertmanager";
import { alertLine, alertLink } from "../../../../src/domain/alerts/foreign-text";
import { plainMessage } from "../../../../src/domain/message-text";
import { mrkdwn } from "../../../../src/adapters/slack/blocks/limits";
import { PagerDutyWebhook, readPagerDuty } from "../../../../src/domain/alerts/pagerduty";

const hosts = [
  { name: "proxy-1", address: "10.0.0.11" },
  { name: "proxy-2", address: "edge2.example.net" },
  { name: "proxy-6", address: "fd00::6" },
];

describe("matching alert labels to the inventory", () => {
  test.each([
    [["10.0.0.11:9100"], ["proxy-1"]],
    [["proxy-1"], ["proxy-1"]],
    [["EDGE2.example.net:443"], ["proxy-2"]],
    [["[fd00::6]:9100", "fd00::6"], ["proxy-6"]],
    [["10.0.0.99:9100", "nowhere"], []],
    [
      ["proxy-2", "10.0.0.11", "proxy-2:80"],
      ["proxy-2", "proxy-1"],
    ],
  ])("%j names %j", (hints, expected) => {
    expect(matchHosts(hints, hosts)).toEqual(expected);
  });
});

describe("Alertmanager's severity label", () => {
  test.each([
    ["critical", "sev1"],
    ["CRITICAL", "sev1"],
    ["error", "sev2"],
    ["warning", "sev2"],
    ["info", "sev3"],
    ["page", "sev2"],
    [undefined, "sev2"],
  ])("%s → %s", (label, severity) => {
    expect(alertmanagerSeverity(label)).toBe(severity);
  });
});

describe("reading an Alertmanager group", () => {
  const base = {
    version: "4",
    groupKey: '{}:{alertname="X"}',
    status: "firing",
    receiver: "bot",
    groupLabels: { alertname: "ProxyDown" },
    commonLabels: { alertname: "ProxyDown" },
    commonAnnotations: {},
    externalURL: "http://am:9093",
    alerts: [{ status: "firing", labels: { alertname: "ProxyDown", host: "proxy-1" } }],
  };

  test("without a summary the alert name is the title, and externalURL the link", () => {
    const notice = readAlertmanager(AlertmanagerPayload.parse(base));
    expect(notice).toMatchObject({
      title: "ProxyDown",
      severity: "sev2",
      hostHints: ["proxy-1"],
      url: "http://am:9093",
    });
  });

  test("versions other than 4 and empty groups do not parse", () => {
    expect(AlertmanagerPayload.safeParse({ ...base, version: "3" }).success).toBe(false);
    expect(AlertmanagerPayload.safeParse({ ...base, alerts: [] }).success).toBe(false);
  });
});

describe("reading a PagerDuty event", () => {
  const webhook = (eventType: string, data: unknown) =>
    PagerDutyWebhook.parse({
      event: { id: "E1", event_type: eventType, resource_type: "incident", data },
    });
  const incident = { id: "P1", type: "incident", title: "Down", priority: null, urgency: "low" };

  test("priority decides the severity, else urgency", () => {
    const read = (data: object) => {
      const result = readPagerDuty(webhook("incident.triggered", { ...incident, ...data }));
      return result.ok ? result.notice?.severity : "invalid";
    };
    expect(read({ priority: { summary: "P1" } })).toBe("sev1");
    expect(read({ priority: { summary: "P2" } })).toBe("sev2");
    expect(read({ priority: { summary: "P4" } })).toBe("sev3");
    expect(read({ urgency: "high" })).toBe("sev2");
    expect(read({})).toBe("sev3");
  });

  test("other event types are ignored; an acted-on event without an incident is invalid", () => {
    expect(readPagerDuty(webhook("incident.acknowledged", incident))).toEqual({
      ok: true,
      notice: null,
    });
    expect(readPagerDuty(webhook("incident.triggered", { id: "x" })).ok).toBe(false);
  });
});

describe("alert text in chat", () => {
  test("an alert's title stays plain text, one line, capped; Slack escapes it", () => {
    expect(alertLine("hi <!channel>\n& <@U1|x>")).toBe("hi <!channel> & <@U1|x>");
    expect(alertLine("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
    expect(mrkdwn([alertLine("hi <!channel>\n& <@U1|x>")])).toBe(
      "hi &lt;!channel&gt; &amp; &lt;@U1|x&gt;",
    );
  });

  test("only http(s) links become links in Slack, and cannot be broken out of", () => {
    expect(mrkdwn([alertLink("https://pd.example/i/1", "A|B")])).toBe(
      "<https://pd.example/i/1|A¦B>",
    );
    expect(mrkdwn([alertLink("http://p/g?a=1&b=<x>|y", "t")])).toBe(
      "<http://p/g?a=1&amp;b=%3Cx%3E%7Cy|t>",
    );
    expect(mrkdwn([alertLink("javascript:alert(1)", "t <!here>")])).toBe("t &lt;!here&gt;");
    expect(mrkdwn([alertLink(null, "t")])).toBe("t");
    expect(plainMessage([alertLink("https://pd.example/i/1", "A")])).toBe(
      "A (https://pd.example/i/1)",
    );
  });
});
