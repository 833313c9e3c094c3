import { soleState, worstState } from "../../../src/domain/incident-progress";

describe("worstState", () => {
  it("picks the most alarming state across hosts", () => {
    expect(worstState(["ok", "failed", "running"])).toBe("failed");
    expect(worstState(["ok", "awaiting-approval"])).toBe("awaiting-approval");
    expect(worstState(["error", "failed"])).toBe("error");
  });

  it("says pending when no host has a state yet", () => {
    expect(worstState([])).toBe("pending");
  });
});

describe("soleState", () => {
  it("returns the state of a manual item, keyed by a star", () => {
    expect(soleState({ "*": "ticked" })).toBe("ticked");
  });

  it("returns null for per-host states", () => {
    expect(soleState({ "proxy-1": "ok" })).toBeNull();
    expect(soleState({ "*": "ok", "proxy-1": "ok" })).toBeNull();
  });
});
