import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lineStatus, requestsPerMinute, scanStatuses } from "../../../src/domain/access-log-status";
import { parseAccessLog } from "../../../src/domain/proxies/apache/access-log";

const FIXTURES = join(__dirname, "../../fixtures/apache");

describe("the time and status of access-log lines, for the page's 5xx chart", () => {
  it("agrees with the diagnosis's parser on every access log the lab provoked", () => {
    for (const mode of ["upstream-stopped", "healthy", "upstream-hang", "worker-exhaustion"]) {
      const log = readFileSync(join(FIXTURES, `${mode}.access.log`), "utf8");
      const found: { timeMs: number; status: number }[] = [];
      scanStatuses(log, new Map(), (timeMs, status) => found.push({ timeMs, status }));
      expect(found).toEqual(
        parseAccessLog(log).map((e) => ({ timeMs: e.timeMs, status: e.status })),
      );
      expect(found.length).toBeGreaterThan(0);
    }
  });

  it("applies the line's zone, skips escaped quotes in the request and refuses other shapes", () => {
    const times = new Map<string, number>();
    const line = (stamp: string, request: string, status = "502") =>
      `10.0.0.1 - - [${stamp}] "${request}" ${status} 559 "-" "curl/7.88.1" 2001785`;
    expect(lineStatus(line("22/Nov/2026:23:12:12 +0100", "GET /a HTTP/1.1"), times)).toEqual({
      timeMs: Date.UTC(2026, 10, 22, 22, 12, 12),
      status: 502,
    });
    expect(
      lineStatus(line("22/Nov/2026:16:42:12 -0530", 'GET /\\" 200 x HTTP/1.1'), times),
    ).toEqual({
      timeMs: Date.UTC(2026, 10, 22, 22, 12, 12),
      status: 502,
    });
    expect(lineStatus(line("22/Xyz/2026:23:12:12 +0100", "GET /"), times)).toBeNull();
    expect(lineStatus(line("22/Nov/2026:23:12:12 +0100", "GET /", "5x2"), times)).toBeNull();
    expect(lineStatus("clock: 1764000000 +0000", times)).toBeNull();
    expect(lineStatus("[Sun Nov 22 22:35:04.667204 2026] [proxy:error] AH00957", times)).toBeNull();
  });

  it("counts requests and 5xx answers per minute, and nothing in an output without such lines", () => {
    const log = readFileSync(join(FIXTURES, "upstream-stopped.access.log"), "utf8");
    expect(requestsPerMinute(log)).toEqual([
      { at: Date.UTC(2026, 10, 22, 22, 35), requests: 3, errors: 3 },
    ]);
    const errors = readFileSync(join(FIXTURES, "upstream-stopped.error.log"), "utf8");
    expect(requestsPerMinute(errors)).toEqual([]);
  });
});
