import type { ApprovalCard, IncidentCard } from "../../../../../src/ports/chat";
import {
  APPROVE_ACTION,
  ApprovalButtonValue,
  DENY_ACTION,
  renderApprovalCard,
} from "../../../../../src/adapters/slack/blocks/approval-card";
import {
  MANUAL_DONE_ACTION,
  ManualItemValue,
  formatElapsed,
  renderIncidentCard,
} from "../../../../../src/adapters/slack/blocks/incident-card";
import { renderThreadReply } from "../../../../../src/adapters/slack/blocks/thread-reply";
import { renderTextMessage } from "../../../../../src/adapters/slack/blocks/text-message";
import type { Block } from "../../../../../src/adapters/slack/blocks/types";

const incident: IncidentCard["incident"] = {
  id: "inc-20261122-api-502-ab12",
  title: "API 502 <!channel> & friends",
  severity: "sev1",
  state: "open",
  phase: "immediate",
  commander: "U0COMMAND",
  declaredBy: "U0DECLARE",
  hosts: ["edge"],
  channel: "C1",
  messageRef: null,
  declaredAt: Date.UTC(2026, 10, 22, 22, 0, 0),
  mitigatedAt: null,
  resolvedAt: null,
  summary: null,
};

const card: IncidentCard = {
  incident,
  elapsedMs: 245_000,
  checklist: [
    {
      stepId: "error-log",
      title: "Read the error log",
      kind: "diagnostic",
      states: { "proxy-1": "ok", "proxy-2": "running" },
    },
    {
      stepId: "reload",
      title: "Graceful reload",
      kind: "remediation",
      states: { "proxy-2": "awaiting-approval" },
    },
    { stepId: "page", title: "Page the upstream team", kind: "manual", states: { "*": "ticked" } },
  ],
  diagnosis: {
    cause: "upstream_refused",
    hosts: ["proxy-2"],
    summary: "Connection refused by 127.0.0.1:9002",
    recommendation: "Start the upstream, then reload gracefully",
  },
};

const texts = (blocks: Block[]): string => JSON.stringify(blocks);

describe("renderIncidentCard", () => {
  test("shows title, severity, state, phase, commander, hosts and elapsed time", () => {
    const { text, blocks } = renderIncidentCard(card);
    expect(blocks[0]).toMatchObject({ type: "header" });
    const all = texts(blocks);
    for (const part of ["SEV1", "open", "immediate", "<@U0COMMAND>", "edge", "4m 05s"]) {
      expect(all).toContain(part);
    }
    expect(text).toContain("API 502");
  });

  test("lists every checklist step with its per-host state", () => {
    const all = texts(renderIncidentCard(card).blocks);
    expect(all).toContain("Read the error log");
    expect(all).toContain("proxy-1 :white_check_mark:");
    expect(all).toContain("proxy-2 :hourglass_flowing_sand:");
    expect(all).toContain(":raised_hand: Graceful reload");
    expect(all).toContain(":ballot_box_with_check: Page the upstream team _(manual)_");
  });

  test("posts the diagnosis with its recommendation", () => {
    const all = texts(renderIncidentCard(card).blocks);
    expect(all).toContain("`upstream_refused` on proxy-2");
    expect(all).toContain("Start the upstream");
  });

  test("escapes user text so a title cannot ping the channel", () => {
    const { blocks, text } = renderIncidentCard(card);
    // The header is plain_text, which Slack never parses for mentions.
    const all = texts(blocks.filter((block) => block.type !== "header"));
    expect(all).not.toContain("<!channel>");
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("&lt;!channel&gt; &amp; friends");
  });

  test("stays within 50 blocks and 3000 characters per section with a huge checklist", () => {
    const checklist = Array.from({ length: 400 }, (_, i) => ({
      stepId: `s${i}`,
      title: `Step ${i} ${"x".repeat(200)}`,
      kind: "check" as const,
      states: { "proxy-1": "pending" as const },
    }));
    const { blocks } = renderIncidentCard({ ...card, checklist });
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) {
      if (block.type === "section" && block.text) {
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
      }
    }
  });

  test("an open manual item gets a Done button whose value names the item", () => {
    const { blocks } = renderIncidentCard({
      ...card,
      checklist: [
        {
          stepId: "follow-up",
          title: "Write the follow-up",
          kind: "manual",
          states: { "*": "pending" },
        },
        { stepId: "page", title: "Page", kind: "manual", states: { "*": "ticked" } },
      ],
    });
    const buttons = blocks.flatMap((block) =>
      block.type === "section" && block.accessory?.type === "button" ? [block.accessory] : [],
    );
    expect(buttons).toHaveLength(1);
    expect(buttons[0]?.action_id).toBe(MANUAL_DONE_ACTION);
    expect(ManualItemValue.parse(JSON.parse(buttons[0]?.value ?? ""))).toEqual({
      incidentId: incident.id,
      stepId: "follow-up",
    });
  });

  test("a resolved incident's card has no buttons", () => {
    const { blocks } = renderIncidentCard({
      ...card,
      incident: { ...incident, state: "resolved" },
      checklist: [{ stepId: "f", title: "F", kind: "manual", states: { "*": "pending" } }],
    });
    expect(JSON.stringify(blocks)).not.toContain(MANUAL_DONE_ACTION);
  });

  test("elapsed time reads in hours, minutes and seconds", () => {
    expect(formatElapsed(5_000)).toBe("5s");
    expect(formatElapsed(65_000)).toBe("1m 05s");
    expect(formatElapsed(3_723_000)).toBe("1h 02m");
  });
});

const approval: ApprovalCard = {
  approvalId: "apr-run-1-reload",
  incidentId: "inc-20261122-api-502-ab12",
  title: "Graceful reload",
  hosts: ["proxy-2"],
  commands: ["apache2ctl -k graceful"],
  precheck: "apache2ctl configtest: Syntax OK",
  state: "pending",
  requestedBy: "bot",
  decidedBy: null,
  approvals: [],
  required: 1,
  expiresAt: Date.UTC(2026, 10, 22, 22, 10, 0),
  outcome: null,
};

describe("renderApprovalCard", () => {
  test("names the command, the hosts and the precheck, with Approve and Deny buttons", () => {
    const { blocks, text } = renderApprovalCard(approval);
    const all = texts(blocks);
    expect(all).toContain("apache2ctl -k graceful");
    expect(all).toContain("proxy-2");
    expect(all).toContain("Syntax OK");
    const actions = blocks.find((block) => block.type === "actions");
    expect(actions).toBeDefined();
    const ids = JSON.stringify(actions);
    expect(ids).toContain(APPROVE_ACTION);
    expect(ids).toContain(DENY_ACTION);
    expect(text).toContain("Approval needed");
  });

  test("the button value parses back to the approval id", () => {
    const actions = renderApprovalCard(approval).blocks.find((block) => block.type === "actions");
    const elements = (actions as { elements: Array<{ value: string }> }).elements;
    for (const element of elements) {
      expect(ApprovalButtonValue.parse(JSON.parse(element.value))).toEqual({
        approvalId: "apr-run-1-reload",
        incidentId: "inc-20261122-api-502-ab12",
      });
    }
  });

  test("a decided card has no buttons and says who decided and what happened", () => {
    const { blocks } = renderApprovalCard({
      ...approval,
      state: "approved",
      decidedBy: "U0APPROVER",
      outcome: "proxy-2: precheck ok, reload ok, verification ok",
    });
    expect(blocks.some((block) => block.type === "actions")).toBe(false);
    const all = texts(blocks);
    expect(all).toContain("approved by <@U0APPROVER>");
    expect(all).toContain("verification ok");
  });
});

describe("renderThreadReply", () => {
  test("puts output in a code block and keeps its end when cut", () => {
    const output = `${"old line\n".repeat(1000)}AH01114: the newest line`;
    const { blocks } = renderThreadReply("error-log on proxy-2: ok", output);
    const code = (blocks[1] as { text: { text: string } }).text.text;
    expect(code.startsWith("```")).toBe(true);
    expect(code.length).toBeLessThanOrEqual(3000);
    expect(code).toContain("AH01114: the newest line");
    expect(code).toContain("…(cut)");
  });

  test("output containing backticks cannot close the code block early", () => {
    const { blocks } = renderThreadReply("x", "a ``` b");
    const code = (blocks[1] as { text: { text: string } }).text.text;
    expect(code.slice(3, -3)).not.toContain("```");
  });
});

describe("renderTextMessage", () => {
  test("a long timeline becomes several sections within Slack's limits", () => {
    const timeline = Array.from({ length: 3000 }, (_, i) => `22:00:${i}  bot  step ${i}`).join(
      "\n",
    );
    const { blocks, text } = renderTextMessage(timeline);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(text.length).toBeLessThanOrEqual(3000);
  });
});
