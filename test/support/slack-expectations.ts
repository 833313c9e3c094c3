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
