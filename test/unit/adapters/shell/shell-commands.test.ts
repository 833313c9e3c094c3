import { shellBackend } from "../../../../src/adapters/shell/shell-commands";
import { DEFAULT_SETTINGS, type LifecycleDeps } from "../../../../src/app/lifecycle-deps";
import type { Incident } from "../../../../src/domain/incident";
import type { Chat } from "../../../../src/ports/chat";

const open: Incident = {
  id: "inc-20261122-api-502s-ab12",
  title: "API 502s",
  severity: "sev2",
  state: "open",
  phase: "immediate",
  commander: "alice",
  declaredBy: "alice",
  hosts: ["lab"],
  channel: "#inc-20261122-api-502s-ab12",
  messageRef: null,
  declaredAt: 0,
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
};

/**
 * Only the ports these routes touch are real fakes; the full flow (store, queue, workers, SSH) is
 * covered by test/integration/shell.test.ts against Redis and the lab.
 */
function setUp() {
  const replies: string[] = [];
  const chat: Pick<Chat, "postEphemeral"> = {
    postEphemeral: async (channel, user, text) => {
      replies.push(`${channel} ${user}: ${text}`);
    },
  };
  const deps = {
    chat,
    incidents: {
      findByChannel: async (channel: string) => (channel === open.channel ? open : null),
      list: async () => [open],
    },
    approvals: { get: async () => null },
    clock: { now: () => 0 },
    settings: DEFAULT_SETTINGS,
  } as unknown as LifecycleDeps;
  return { backend: shellBackend(deps), replies };
}

const alice = { user: "alice", channel: "#ops" };

describe("shellBackend", () => {
  it("answers a malformed command with the error and the usage, to the user only", async () => {
    const { backend, replies } = setUp();
    await backend.incident(alice, "declare");
    expect(replies).toEqual([
      "#ops alice: The incident needs a title.\nUsage: `/incident declare TITLE [sev1|sev2|sev3] [hosts:GROUP_OR_HOSTS]`",
    ]);
  });

  it("lists the commands for help", async () => {
    const { backend, replies } = setUp();
    await backend.incident(alice, "help");
    expect(replies[0]).toContain("/incident declare");
  });

  it("refuses incident commands outside an incident channel", async () => {
    const { backend, replies } = setUp();
    await backend.incident(alice, "resolve all good");
    expect(replies[0]).toContain("works in an incident channel");
  });

  it("lists open incidents with their channels", async () => {
    const { backend, replies } = setUp();
    await backend.incident(alice, "list");
    expect(replies).toEqual([
      `#ops alice: ${open.id} sev2 open "API 502s" in #inc-20261122-api-502s-ab12`,
    ]);
  });

  it("tells the clicker why a decision was refused", async () => {
    const { backend, replies } = setUp();
    await backend.decide({ user: "bob", channel: "#inc" }, "apr-nope", "approve");
    expect(replies).toEqual(["#inc bob: No approval request apr-nope. (not-found)"]);
  });
});
