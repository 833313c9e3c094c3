import type { ApprovalCard, IncidentCard } from "../../../../src/ports/chat";
import { ShellChat } from "../../../../src/adapters/shell/shell-chat";
import type { Incident } from "../../../../src/domain/incident";

const incident: Incident = {
  id: "inc-20261122-api-502s",
  title: "API 502s",
  severity: "sev2",
  state: "open",
  phase: "immediate",
  commander: "U1",
  declaredBy: "U1",
  hosts: ["lab"],
  channel: null,
  messageRef: null,
  declaredAt: 0,
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
};

function card(states: Record<string, "pending" | "running" | "ok">): IncidentCard {
  return {
    incident,
    elapsedMs: 1000,
    diagnosis: null,
    checklist: [
      { stepId: "error-log", title: "Read the error log", kind: "diagnostic", states },
      { stepId: "page-owner", title: "Page the owner", kind: "manual", states: { "*": "pending" } },
    ],
  };
}

const approval: ApprovalCard = {
  approvalId: "apr-1",
  incidentId: incident.id,
  title: "Reload Apache gracefully",
  hosts: ["proxy-2"],
  commands: ["apache2ctl -k graceful"],
  precheck: "apache2ctl configtest",
  state: "pending",
  requestedBy: "U1",
  decidedBy: null,
  approvals: [],
  required: 1,
  expiresAt: 600_000,
  outcome: null,
};

function setUp(user = "U1") {
  const lines: string[] = [];
  const created: string[] = [];
  const approvals: ApprovalCard[] = [];
  const chat = new ShellChat(
    { print: (line) => lines.push(line) },
    {
      currentUser: () => user,
      now: () => 0,
      onChannelCreated: (channel) => created.push(channel),
      onApprovalCard: (approvalCard) => approvals.push(approvalCard),
    },
  );
  return { chat, lines, created, approvals };
}

describe("ShellChat", () => {
  it("creates channels as #names and gives a taken name a suffix", async () => {
    const { chat, created } = setUp();
    const input = { name: "inc-api", topic: "API 502s", purpose: "p", members: [] };
    expect(await chat.createIncidentChannel(input)).toBe("#inc-api");
    expect(await chat.createIncidentChannel(input)).toBe("#inc-api-2");
    expect(created).toEqual(["#inc-api", "#inc-api-2"]);
  });

  it("prints every bot line with the bot prefix and the channel", async () => {
    const { chat, lines } = setUp();
    await chat.postMessage("#ops", "hello\nworld");
    expect(lines).toEqual(["bot> [#ops] hello", "bot> [#ops] world"]);
  });

  it("prints the whole card once, then only the lines that changed under a header", async () => {
    const { chat, lines } = setUp();
    const ref = await chat.postIncidentCard("#inc", card({ "proxy-1": "pending" }));
    expect(lines[0]).toBe(
      'bot> [#inc] incident inc-20261122-api-502s "API 502s" sev2 open phase=immediate',
    );
    expect(lines).toContain('bot> [#inc]   [ ] manual page-owner "Page the owner": pending');
    lines.length = 0;

    await chat.updateIncidentCard(ref, card({ "proxy-1": "ok" }));
    expect(lines).toEqual([
      'bot> [#inc] ~ incident inc-20261122-api-502s "API 502s" sev2 open phase=immediate',
      'bot> [#inc]   [x] diagnostic error-log "Read the error log": proxy-1=ok',
    ]);
    lines.length = 0;

    await chat.updateIncidentCard(ref, card({ "proxy-1": "ok" }));
    expect(lines).toEqual([]);
  });

  it("shows the diagnosis with its cause and hosts", async () => {
    const { chat, lines } = setUp();
    const ref = await chat.postIncidentCard("#inc", card({ "proxy-2": "ok" }));
    await chat.updateIncidentCard(ref, {
      ...card({ "proxy-2": "ok" }),
      diagnosis: {
        cause: "upstream_refused",
        hosts: ["proxy-2"],
        summary: "proxy-2: connection refused by upstream",
        recommendation: "Start the upstream, then reload.",
      },
    });
    expect(lines).toContain(
      "bot> [#inc]   diagnosis: upstream_refused on proxy-2: proxy-2: connection refused by upstream",
    );
  });

  it("indents thread replies and caps long output", async () => {
    const { chat, lines } = setUp();
    const ref = await chat.postIncidentCard("#inc", card({}));
    lines.length = 0;
    const output = Array.from({ length: 12 }, (_, i) => `line ${i}`).join("\n");
    await chat.postThreadReply(ref, "error-log on proxy-1", output);
    expect(lines[0]).toBe("bot> [#inc]   > error-log on proxy-1");
    expect(lines).toContain("bot> [#inc]   |   line 0");
    expect(lines).not.toContain("bot> [#inc]   |   line 11");
    expect(lines[lines.length - 1]).toBe("bot> [#inc]   |   … 8 more lines");
  });

  it("says an ephemeral reply is for you only when you are the one typing", async () => {
    const { chat, lines } = setUp("U1");
    await chat.postEphemeral("#ops", "U1", "usage: /incident declare TITLE");
    await chat.postEphemeral("#ops", "U2", "not for you");
    expect(lines).toEqual([
      "bot> [#ops] (only you) usage: /incident declare TITLE",
      "bot> [#ops] (only U2) not for you",
    ]);
  });

  it("lists pending approvals and forgets them once decided", async () => {
    const { chat, lines, approvals } = setUp();
    const ref = await chat.postApprovalCard("#inc", approval);
    expect(lines).toContain("bot> [#inc]   $ apache2ctl -k graceful");
    expect(chat.pendingApprovals().map(({ card: c }) => c.approvalId)).toEqual(["apr-1"]);
    await chat.updateApprovalCard(ref, { ...approval, state: "approved", decidedBy: "U9" });
    expect(chat.pendingApprovals()).toEqual([]);
    expect(approvals.map((a) => a.state)).toEqual(["pending", "approved"]);
    expect(lines[lines.length - 1]).toContain("approval apr-1 approved");
  });

  it("shows an uploaded file line by line", async () => {
    const { chat, lines } = setUp();
    await chat.uploadFile("#inc", {
      filename: "timeline.md",
      title: "Timeline",
      content: "a\nb\n",
    });
    expect(lines).toEqual([
      "bot> [#inc] file timeline.md: Timeline",
      "bot> [#inc]   | a",
      "bot> [#inc]   | b",
    ]);
  });
});

describe("ShellChat shows foreign text as it is, minus control characters", () => {
  const ESC = "\u001b]0;pwned\u0007\u001b[2J";

  it("names people as @id and reads nothing into text that looks like markup", async () => {
    const { chat, lines } = setUp();
    await chat.postMessage("#ops", [
      "Commander: ",
      { person: "U1" },
      " ",
      { strong: "now" },
      " <@U999> &lt; *x*",
    ]);
    expect(lines).toEqual(["bot> [#ops] Commander: @U1 now <@U999> &lt; *x*"]);
  });

  it("drops control characters from messages, thread replies, ephemerals, cards and files", async () => {
    const { chat, lines } = setUp();
    const ref = await chat.postIncidentCard("#inc", {
      ...card({ "proxy-1": "ok" }),
      incident: { ...incident, title: `t${ESC}` },
    });
    await chat.postThreadReply(ref, `Step on proxy-1: failed (${ESC})`, `out${ESC}put\n`);
    await chat.postMessage("#inc", `Note: ${ESC}`);
    await chat.postEphemeral("#inc", "U1", `Unknown host ${ESC}`);
    await chat.uploadFile("#inc", { filename: "p.md", title: `T${ESC}`, content: `# x${ESC}\n` });
    await chat.postApprovalCard("#inc", { ...approval, title: `a${ESC}` });
    const controls = lines.filter((line) => [...line].some((c) => c < " " && c !== "\t"));
    expect(controls).toEqual([]);
    expect(lines.some((line) => line.includes("out]0;pwned[2Jput"))).toBe(true);
  });
});
