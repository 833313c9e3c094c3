import { slackIncidentService } from "../../../../src/adapters/slack/incident-service";
import type { LifecycleDeps } from "../../../../src/app/lifecycle-deps";
import type { Incident } from "../../../../src/domain/incident";

const open: Incident = {
  id: "inc-20261122-api-502s-ab12",
  title: "API <502s>",
  severity: "sev2",
  state: "open",
  phase: "immediate",
  commander: "UALICE",
  declaredBy: "UALICE",
  hosts: ["lab"],
  channel: "CINC",
  messageRef: null,
  declaredAt: 0,
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
};

/** The shared handler is covered in test/unit/app; this checks Slack's mrkdwn wording only. */
function service() {
  const deps = {
    incidents: {
      findByChannel: async (channel: string) => (channel === open.channel ? open : null),
      list: async () => [open],
    },
    approvals: { get: async () => null },
    clock: { now: () => 0 },
  } as unknown as LifecycleDeps;
  return slackIncidentService(deps);
}

describe("slackIncidentService", () => {
  it("lists open incidents in mrkdwn with channel links and escaped titles", async () => {
    const reply = await service().command({ user: "U1", channel: "COPS" }, { kind: "list" });
    expect(reply).toEqual({
      text: `*Open incidents (1)*\n• \`${open.id}\` sev2 open *API &lt;502s&gt;* in <#CINC>`,
    });
  });

  it("tells the clicker why a decision was refused, privately", async () => {
    const reply = await service().decide({ user: "U1", channel: "CINC" }, "apr-nope", "approve");
    expect(reply).toEqual({ text: ":no_entry_sign: No approval request apr-nope." });
  });
});

describe("slackIncidentService quotes foreign text escaped", () => {
  it("escapes what a refusal quotes (an id from a button, a name from a command)", async () => {
    const reply = await service().decide(
      { user: "U1", channel: "CINC" },
      "apr-<!channel>-<https://evil.example|x>",
      "approve",
    );
    expect(reply).toEqual({
      text: ":no_entry_sign: That is not an approval request id.",
    });
  });
});
