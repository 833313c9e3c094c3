import {
  IncidentCommand,
  helpText,
  needsIncident,
  parseIncidentCommand,
} from "../../../src/domain/incident-command";

const accepted: Array<[string, IncidentCommand]> = [
  ["", { kind: "help", topic: null }],
  ["help", { kind: "help", topic: null }],
  ["HELP declare", { kind: "help", topic: "declare" }],
  [
    "declare API 502 on edge",
    { kind: "declare", title: "API 502 on edge", severity: "sev2", hosts: [] },
  ],
  [
    "declare api 502 sev1 hosts:edge",
    { kind: "declare", title: "api 502", severity: "sev1", hosts: ["edge"] },
  ],
  [
    "declare  hosts:proxy-1,proxy-2   SEV3   checkout   down ",
    { kind: "declare", title: "checkout down", severity: "sev3", hosts: ["proxy-1", "proxy-2"] },
  ],
  ["declare “API 502s” sev1", { kind: "declare", title: "API 502s", severity: "sev1", hosts: [] }],
  [
    "declare R&amp;D &lt;proxy&gt; broken",
    { kind: "declare", title: "R&D <proxy> broken", severity: "sev2", hosts: [] },
  ],
  ["declare x hosts:edge,edge", { kind: "declare", title: "x", severity: "sev2", hosts: ["edge"] }],
  ["run apache-502", { kind: "run", playbook: "apache-502", phase: null, hosts: [] }],
  [
    "run apache-502 short-term hosts:proxy-2",
    { kind: "run", playbook: "apache-502", phase: "short-term", hosts: ["proxy-2"] },
  ],
  [
    "run apache-502 hosts:edge immediate",
    { kind: "run", playbook: "apache-502", phase: "immediate", hosts: ["edge"] },
  ],
  ["status", { kind: "status", text: null }],
  ["status upstream restarted, watching", { kind: "status", text: "upstream restarted, watching" }],
  ["commander <@U0123ABC|alice>", { kind: "commander", user: "U0123ABC" }],
  ["commander <@U0123ABC>", { kind: "commander", user: "U0123ABC" }],
  ["commander <@W999|Alice Smith>", { kind: "commander", user: "W999" }],
  ["commander @U0123ABC", { kind: "commander", user: "U0123ABC" }],
  ["commander alice", { kind: "commander", user: "alice" }],
  ["severity sev1", { kind: "severity", severity: "sev1" }],
  ["severity SEV3", { kind: "severity", severity: "sev3" }],
  ["timeline", { kind: "timeline" }],
  ["mitigated", { kind: "mitigated" }],
  ["note restarted the upstream by hand", { kind: "note", text: "restarted the upstream by hand" }],
  ["resolve", { kind: "resolve", summary: null }],
  ["resolve upstream back", { kind: "resolve", summary: "upstream back" }],
  ["list", { kind: "list" }],
  ["List", { kind: "list" }],
];

const refused: Array<[string, RegExp]> = [
  ["explode", /Unknown subcommand/],
  ["declare", /needs a title/],
  ["declare sev1 hosts:edge", /needs a title/],
  ["declare x sev1 sev2", /one severity/],
  ["declare x hosts:", /needs a group or host names/],
  ["declare x hosts:edge hosts:other", /`hosts:` once/],
  ["declare x hosts:edge;rm", /not a host or group name/],
  ["declare x hosts:$(reboot)", /not a host or group name/],
  [`declare ${"t".repeat(201)}`, /under 200/],
  ["run", /Name the playbook/],
  ["run Apache_502", /not a playbook name/],
  ["run ../../etc/passwd", /not a playbook name/],
  ["run apache-502 forever", /Unexpected `forever`/],
  ["run apache-502 immediate short-term", /Unexpected `short-term`/],
  ["run apache-502 hosts:`id`", /not a host or group name/],
  ["commander", /Name the new commander/],
  ["commander alice bob", /is not a user/],
  ["commander <@U1|a> <@U2|b>", /is not a user/],
  // Typed literally, so Slack escaped it: text, not a mention.
  ["commander &lt;@U0123ABC|alice&gt;", /`<@U0123ABC\|alice>` is not a user/],
  ["severity", /Name the new severity/],
  ["severity critical", /`critical` is not one/],
  ["severity sev1 now", /is not one/],
  ["timeline now", /takes no arguments/],
  ["list all", /takes no arguments/],
  ["mitigated yes", /takes no arguments/],
  ["note", /Write the note/],
  [`status ${"s".repeat(3001)}`, /under 3000/],
];

describe("parseIncidentCommand", () => {
  test.each(accepted)("accepts %j", (text, expected) => {
    const parsed = parseIncidentCommand(text, "slack");
    expect(parsed).toEqual({ ok: true, command: expected });
    if (parsed.ok) expect(IncidentCommand.parse(parsed.command)).toEqual(expected);
  });

  test.each(refused)("refuses %j with a usage message", (text, error) => {
    const parsed = parseIncidentCommand(text, "slack");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatch(error);
      expect(parsed.usage).toMatch(/\/incident/);
    }
  });

  test("an unknown subcommand answers with the full help", () => {
    const parsed = parseIncidentCommand("frobnicate");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.usage).toBe(helpText());
  });

  test("a usage error names the subcommand's syntax", () => {
    const parsed = parseIncidentCommand("run");
    expect(parsed).toMatchObject({ ok: false, usage: expect.stringContaining("run PLAYBOOK") });
  });
});

describe("free text comes out as the person typed it, never as markup", () => {
  const noteOf = (text: string, syntax: "slack" | "plain" = "slack"): string => {
    const parsed = parseIncidentCommand(text, syntax);
    if (!parsed.ok || parsed.command.kind !== "note") throw new Error(JSON.stringify(parsed));
    return parsed.command.text;
  };

  test.each([
    // What Slack sends (should_escape: true) → what the person typed.
    ["note R&amp;D &lt;proxy&gt;", "R&D <proxy>"],
    ["note typed &lt;!channel&gt; literally", "typed <!channel> literally"],
    ["note &amp;lt; stays an entity", "&lt; stays an entity"],
    ["note ping <!channel> and <!here>", "ping @channel and @here"],
    ["note ask <@U0123ABC|alice> or <@W42>", "ask @alice or @W42"],
    ["note see <#C42|ops>", "see #ops"],
    ["note team <!subteam^S1|@oncall>", "team @oncall"],
    [
      "note <https://evil.example|Approve the fix here>",
      "Approve the fix here (https://evil.example)",
    ],
    ["note <https://example.com/a?b=1&amp;c=2>", "https://example.com/a?b=1&c=2"],
    ["note <mailto:a@example.com|a@example.com>", "a@example.com"],
  ])("Slack's %j is the note %j", (text, typed) => {
    expect(noteOf(text)).toBe(typed);
  });

  test("status, resolve and the declare title are read the same way", () => {
    const status = parseIncidentCommand("status <!channel> &lt;b&gt;", "slack");
    const resolve = parseIncidentCommand("resolve <@U1|bob> fixed &amp; done", "slack");
    const declare = parseIncidentCommand("declare <!here> &lt;x&gt; sev1", "slack");
    expect(status).toEqual({ ok: true, command: { kind: "status", text: "@channel <b>" } });
    expect(resolve).toEqual({
      ok: true,
      command: { kind: "resolve", summary: "@bob fixed & done" },
    });
    expect(declare).toMatchObject({ ok: true, command: { title: "@here <x>", severity: "sev1" } });
  });

  test("the terminal's text is taken as typed: nothing is decoded", () => {
    expect(noteOf("note a &lt; b <!channel>", "plain")).toBe("a &lt; b <!channel>");
  });

  test("an error quotes what was typed, not Slack's escaping of it", () => {
    const parsed = parseIncidentCommand("run a&lt;b", "slack");
    expect(parsed).toMatchObject({ ok: false, error: expect.stringContaining("`a<b`") });
  });
});

describe("needsIncident", () => {
  test.each([
    ["declare x", false],
    ["list", false],
    ["help", false],
    ["run apache-502", true],
    ["status", true],
    ["commander U1", true],
    ["severity sev2", true],
    ["timeline", true],
    ["note n", true],
    ["mitigated", true],
    ["resolve", true],
  ])("%j needs an incident channel: %s", (text, expected) => {
    const parsed = parseIncidentCommand(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(needsIncident(parsed.command)).toBe(expected);
  });
});

describe("helpText", () => {
  test("lists every subcommand of the contract", () => {
    for (const verb of ["declare", "run", "status", "commander", "timeline", "resolve", "list"]) {
      expect(helpText()).toContain(`/incident ${verb}`);
    }
  });
});
