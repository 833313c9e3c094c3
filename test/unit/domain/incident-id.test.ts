import { makeIncidentId } from "../../../src/domain/incident-id";
import { approvalIdFor } from "../../../src/domain/approval";
import { runIdFor } from "../../../src/domain/incident-run";

describe("incident, run and approval ids", () => {
  const at = Date.UTC(2026, 10, 22, 22, 0, 0);

  it("makes a readable incident id from the day, the title and a suffix", () => {
    expect(makeIncidentId(at, "Edge: 502 on /api!", "a1b2c3")).toBe(
      "inc-20261122-edge-502-on-api-a1b2c3",
    );
  });

  it("still makes a valid id from a title without letters", () => {
    expect(makeIncidentId(at, "!!!", "x9")).toBe("inc-20261122-x9");
  });

  it("derives run and approval ids without ':' that are never all digits", () => {
    const run = runIdFor("inc-20261122-edge-a1", "short-term", 2);
    expect(run).toBe("run-inc-20261122-edge-a1-short-term-2");
    const approval = approvalIdFor(run, "graceful-reload");
    expect(approval).toBe("apr-run-inc-20261122-edge-a1-short-term-2-graceful-reload");
    for (const id of [run, approval]) {
      expect(id).not.toContain(":");
      expect(id).not.toMatch(/^[0-9]+$/);
    }
  });
});
