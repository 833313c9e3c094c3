import { evaluateExpectation } from "../../../src/domain/playbook-expectation";

describe("check expectations", () => {
  it("passes on exit code 0 by default and fails otherwise with the reason", () => {
    expect(evaluateExpectation({}, { exitCode: 0, output: "" })).toEqual({ passed: true });
    expect(evaluateExpectation({}, { exitCode: 1, output: "" })).toEqual({
      passed: false,
      reason: "exit code 1, expected 0",
    });
    expect(evaluateExpectation({ exitCode: [0, 1] }, { exitCode: 1, output: "" }).passed).toBe(
      true,
    );
  });

  it("checks patterns that must and must not match", () => {
    const ok = { exitCode: 0, output: "Syntax OK\n" };
    expect(evaluateExpectation({ matches: "^Syntax OK$" }, ok).passed).toBe(true);
    expect(evaluateExpectation({ notMatches: "Syntax" }, ok).reason).toBe(
      "output matches /Syntax/",
    );
  });

  it("compares the first number, or a captured one, with thresholds", () => {
    const out = { exitCode: 0, output: "errors: 12 of 340" };
    expect(evaluateExpectation({ threshold: { max: 10 } }, out).reason).toBe(
      "12 is above the maximum 10",
    );
    expect(
      evaluateExpectation({ threshold: { capture: "of ([0-9]+)", min: 100 } }, out).passed,
    ).toBe(true);
    expect(
      evaluateExpectation({ threshold: { max: 1 } }, { exitCode: 0, output: "none" }).reason,
    ).toBe("no number found in the output to compare");
  });
});
