import type { Expectation } from "./playbook";
import { safeRegExp } from "./playbook-variables";

export interface ExpectationVerdict {
  passed: boolean;
  /** Why it did not pass, in an operator's words. */
  reason?: string;
}

/** Does a command's outcome meet a check's expectation? All given conditions must hold. */
export function evaluateExpectation(
  expect: Expectation,
  outcome: { exitCode: number | null; output: string },
): ExpectationVerdict {
  const allowed = expect.exitCode === undefined ? [0] : [expect.exitCode].flat();
  if (outcome.exitCode === null || !allowed.includes(outcome.exitCode)) {
    const got = outcome.exitCode === null ? "no exit code" : `exit code ${outcome.exitCode}`;
    return { passed: false, reason: `${got}, expected ${allowed.join(" or ")}` };
  }
  if (expect.matches !== undefined && !safeRegExp(expect.matches, "m")?.test(outcome.output)) {
    return { passed: false, reason: `output does not match /${expect.matches}/` };
  }
  if (expect.notMatches !== undefined && safeRegExp(expect.notMatches, "m")?.test(outcome.output)) {
    return { passed: false, reason: `output matches /${expect.notMatches}/` };
  }
  if (expect.threshold) return checkThreshold(expect.threshold, outcome.output);
  return { passed: true };
}

function checkThreshold(
  threshold: NonNullable<Expectation["threshold"]>,
  output: string,
): ExpectationVerdict {
  const value = readNumber(output, threshold.capture);
  if (value === null) {
    return { passed: false, reason: "no number found in the output to compare" };
  }
  if (threshold.max !== undefined && value > threshold.max) {
    return { passed: false, reason: `${value} is above the maximum ${threshold.max}` };
  }
  if (threshold.min !== undefined && value < threshold.min) {
    return { passed: false, reason: `${value} is below the minimum ${threshold.min}` };
  }
  return { passed: true };
}

function readNumber(output: string, capture: string | undefined): number | null {
  const pattern = capture === undefined ? /-?[0-9]+(?:\.[0-9]+)?/ : safeRegExp(capture, "m");
  const match = pattern?.exec(output);
  if (!match) return null;
  const text = capture === undefined ? match[0] : (match[1] ?? match[0]);
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
