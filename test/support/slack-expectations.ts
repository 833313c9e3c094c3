import type { FakeSlack } from "../fakes/fake-slack";
import type { RecordingSlackService } from "../fakes/recording-slack-service";

/**
 * What a non-approver's Approve click leads to, whatever carried it (HTTP or Socket Mode): a
 * private refusal on the response_url, with the card left as it was, and the service asked once.
 */
export async function expectNonApproverRefused(
  slack: FakeSlack,
  service: RecordingSlackService,
  approvalId: string,
): Promise<void> {
  const reply = await slack.waitFor(() => slack.state.responses[0], "the refusal");
  expect(reply.body).toMatchObject({
    response_type: "ephemeral",
    replace_original: false,
    text: expect.stringContaining("Only the incident approvers"),
  });
  expect(service.decisions).toEqual([
    { actor: { user: "USTRANGER", channel: "CINCIDENT" }, approvalId, decision: "approve" },
  ]);
}

/** Markup a chat user or a proxy log could carry that would take effect if posted raw. */
export const LIVE_FOREIGN_MARKUP = ["<!channel>", "<!here>", "<https://evil", "<@U999>"] as const;

/**
 * Everything the bot sent the fake Slack, as text: the arguments of every Web API call (text,
 * blocks, topic, purpose, file titles), every uploaded file's content and every response_url body.
 */
export function everythingSentTo(slack: FakeSlack): string[] {
  return [
    ...slack.calls.map((call) => `${call.method} ${JSON.stringify(call.args)}`),
    ...[...slack.state.files.values()].map((file) => `file ${file.filename} ${file.content ?? ""}`),
    ...slack.state.responses.map((response) => `response ${JSON.stringify(response.body)}`),
  ];
}

/** No foreign mention, broadcast or link reached Slack unescaped, on any path. */
export function expectNoLiveForeignMarkup(slack: FakeSlack): void {
  const live = everythingSentTo(slack).filter((sent) =>
    LIVE_FOREIGN_MARKUP.some((markup) => sent.includes(markup)),
  );
  expect(live).toEqual([]);
}
