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

describe("HAProxy's request lines", () => {
  it("count by the accept date and status, through rsyslog's prefix, events left out", () => {
    const output = [
      "clock: 1796294540 +0000",
      'Dec  3 10:42:09 proxy-3 haproxy[13043]: 127.0.0.1:49168 [03/Dec/2026:10:42:09.747] lab_proxy lab_upstream/upstream 0/0/-1/-1/3006 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /api/ HTTP/1.1"',
      'Dec  3 10:42:50 proxy-3 haproxy[13043]: 127.0.0.1:49170 [03/Dec/2026:10:42:50.001] lab_proxy lab_upstream/upstream 0/0/0/7/7 200 175 - - ---- 1/1/0/0/0 0/0 "GET /api/ HTTP/1.1"',
      "Dec  3 10:43:01 proxy-3 haproxy[13043]: backend lab_upstream has no server available!",
    ].join("\n");
    expect(requestsPerMinute(output)).toEqual([
      { at: Date.UTC(2026, 11, 3, 10, 42), requests: 2, errors: 1 },
    ]);
  });
});
