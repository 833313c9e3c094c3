import { PassThrough } from "node:stream";
import type { ApprovalCard } from "../../../../src/ports/chat";
import { ShellChat } from "../../../../src/adapters/shell/shell-chat";
import {
  type ApprovalDecision,
  type ShellBackend,
  ShellRepl,
  type ShellSession,
} from "../../../../src/adapters/shell/shell-repl";
import { Terminal } from "../../../../src/adapters/shell/terminal";

const approval: ApprovalCard = {
  approvalId: "apr-1",
  incidentId: "inc-20261122-api",
  title: "Reload Apache gracefully",
  hosts: ["proxy-2"],
  commands: ["apache2ctl -k graceful"],
  precheck: null,
  state: "pending",
  requestedBy: "U1",
  decidedBy: null,
  approvals: [],
  required: 1,
  expiresAt: 0,
  outcome: null,
};

/** A backend that records calls and answers through the chat, like the real use cases do. */
function setUp() {
  const input = new PassThrough();
  const output = new PassThrough();
  const printed: string[] = [];
  output.on("data", (chunk: Buffer) =>
    printed.push(...chunk.toString().split("\n").filter(Boolean)),
  );
  const terminal = new Terminal(input, output, false);
  const session: ShellSession = { user: "U1", channel: "#ops" };
  const calls: string[] = [];
  // The chat and the REPL point at each other, as in cli/shell.ts.
  const holder: { repl?: ShellRepl } = {};
  const chat = new ShellChat(terminal, {
    currentUser: () => session.user,
    onChannelCreated: (channel) => holder.repl?.joined(channel),
  });
  const backend: ShellBackend = {
    incident: async (who, text) => {
      calls.push(`incident ${who.user} ${who.channel} ${text}`);
      if (text === "explode") throw new Error("boom");
      if (text.startsWith("declare")) {
        const channel = await chat.createIncidentChannel({
          name: "inc-api",
          topic: "API",
          purpose: "",
          members: [],
        });
        await chat.postApprovalCard(channel, approval);
      }
    },
    tick: async (who: ShellSession, stepId: string) => {
      calls.push(`tick ${who.user} ${who.channel} ${stepId}`);
    },
    decide: async (who: ShellSession, id: string, decision: ApprovalDecision) => {
      calls.push(`decide ${who.user} ${who.channel} ${id} ${decision}`);
      if (who.user === "boss") {
        await chat.updateApprovalCard("#inc-api/1", { ...approval, state: "approved" });
      } else {
        await chat.postEphemeral(who.channel, who.user, "You cannot approve remediation.");
      }
    },
  };
  holder.repl = new ShellRepl(terminal, chat, backend, session);
  const finished = holder.repl.run();
  const type = (lines: string[]) => {
    input.end(lines.map((line) => `${line}\n`).join(""));
    return finished;
  };
  return { type, calls, printed, session, chat };
}

describe("ShellRepl", () => {
  it("sends /incident lines to the backend as the current user in the current channel", async () => {
    const { type, calls } = setUp();
    await type(["/incident list", "/user U2", "/join war-room", "/incident status all good"]);
    expect(calls).toEqual(["incident U1 #ops list", "incident U2 #war-room status all good"]);
  });

  it("follows the declarer into the new incident channel", async () => {
    const { type, calls, printed } = setUp();
    await type(["/incident declare API 502s", "/incident status looking"]);
    expect(printed).toContain("shell> you are in #inc-api");
    expect(calls[1]).toBe("incident U1 #inc-api status looking");
  });

  it("answers the pending approval at the prompt and reports a refusal only to the user", async () => {
    const { type, calls, printed } = setUp();
    await type(["/incident declare API 502s", "/wait [a]pprove", "a", "/user boss", "a"]);
    expect(calls.slice(1)).toEqual([
      "decide U1 #inc-api apr-1 approve",
      "decide boss #inc-api apr-1 approve",
    ]);
    expect(printed).toContain("bot> [#inc-api] (only you) You cannot approve remediation.");
    expect(printed.some((line) => line.includes("approval apr-1 approved"))).toBe(true);
  });

  it("says so when nothing is waiting for approval", async () => {
    const { type, calls, printed } = setUp();
    await type(["d"]);
    expect(calls).toEqual([]);
    expect(printed).toContain("shell> nothing is waiting for approval");
  });

  it("gives up a /wait after its timeout and carries on", async () => {
    const { type, printed, calls } = setUp();
    await type(["/wait never-printed 1", "/incident list"]);
    expect(printed).toContain('shell> gave up waiting for "never-printed" after 1s');
    expect(calls).toEqual(["incident U1 #ops list"]);
  });

  it("ticks a manual item by its step id and refuses anything else", async () => {
    const { type, calls, printed } = setUp();
    await type(["/tick tell-upstream-owners", "/tick Not An Id"]);
    expect(calls).toEqual(["tick U1 #ops tell-upstream-owners"]);
    expect(printed).toContain("shell> usage: /tick STEP-ID");
  });

  it("stops reading at /quit", async () => {
    const { type, calls } = setUp();
    await type(["/quit", "/incident list"]);
    expect(calls).toEqual([]);
  });

  it("tells the user when a line is not a command", async () => {
    const { type, printed } = setUp();
    await type(["hello there"]);
    expect(printed[0]).toMatch(/^shell> not a command: hello there/);
  });

  it("reports a failing command and keeps going", async () => {
    const { type, printed, calls } = setUp();
    await type(["/incident explode", "/incident list"]);
    expect(printed).toContain("shell> error: boom");
    expect(calls).toEqual(["incident U1 #ops explode", "incident U1 #ops list"]);
  });

  it("answers the first pending request by default and another by the end of its id", async () => {
    const { type, calls, chat } = setUp();
    await chat.postApprovalCard("#ops", { ...approval, approvalId: "apr-run-1-graceful-reload" });
    await chat.postApprovalCard("#ops", { ...approval, approvalId: "apr-run-1-restart" });
    await type(["a", "d restart", "a nothing-like-this"]);
    expect(calls).toEqual([
      "decide U1 #ops apr-run-1-graceful-reload approve",
      "decide U1 #ops apr-run-1-restart deny",
    ]);
  });
});

describe("Terminal", () => {
  it("keeps lines piped in before the REPL starts reading", async () => {
    const input = new PassThrough();
    const terminal = new Terminal(input, new PassThrough(), false);
    input.end("first\nsecond\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(await terminal.nextLine()).toBe("first");
    expect(await terminal.nextLine()).toBe("second");
    expect(await terminal.nextLine()).toBeNull();
  });

  it("stops reading at once when closed", async () => {
    const terminal = new Terminal(new PassThrough(), new PassThrough(), false);
    const next = terminal.nextLine();
    terminal.close();
    await expect(next).resolves.toBeNull();
  });
});

describe("a piped script", () => {
  it("keeps waiting after its input ended, so /wait works at the end of a script", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const terminal = new Terminal(input, output, false);
    input.end("x\n");
    await new Promise((resolve) => setImmediate(resolve));
    const waited = terminal.waitFor((line) => line.includes("late"), 0, 5000);
    terminal.print("bot> [#ops] a late answer");
    await expect(waited).resolves.toBe(1);
  });
});
