import { plainText } from "../../../../src/adapters/shell/plain-text";

describe("plainText", () => {
  it.each([
    ["<@U123> approved it", "@U123 approved it"],
    ["<@U123|alice> approved it", "@U123 approved it"],
    ["see <#C42|inc-api>", "see #inc-api"],
    ["see <##inc-api>", "see #inc-api"],
    ["<!here> heads up", "@here heads up"],
    ["<https://example.test/x|the runbook>", "the runbook (https://example.test/x)"],
    ["a &lt;b&gt; &amp; c", "a <b> & c"],
    ["no markup at all", "no markup at all"],
    ["*Diagnosis:* upstream_refused on proxy-2", "Diagnosis: upstream_refused on proxy-2"],
    ["_Recommendation:_ start it", "Recommendation: start it"],
    ["2 * 3 * 4 and snake_case_name", "2 * 3 * 4 and snake_case_name"],
  ])("renders %j as %j", (input, expected) => {
    expect(plainText(input)).toBe(expected);
  });
});
