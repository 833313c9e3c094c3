import { apacheRecommendation as recommendationFor } from "../../../../src/domain/proxies/apache/recommendations";
import { causes } from "../../../../src/domain/cause";
import { parseAccessLogLine } from "../../../../src/domain/proxies/apache/access-log";
import { upstreamNamedIn } from "../../../../src/domain/diagnosis/upstream-named";

describe("naming the upstream a line talks about", () => {
  it.each([
    [
      "[Sun Nov 22 22:24:14.960731 2026] [proxy:error] [pid 27144:tid 27160] (111)Connection refused: AH00957: http: attempt to connect to 127.0.1.1:9000 (upstream.proxy-1.lab:9000) failed",
      "upstream.proxy-1.lab:9000",
    ],
    [
      "[Sun Nov 22 22:24:26.955655 2026] [proxy_http:error] [pid 27192:tid 27206] (70007)The timeout specified has expired: [client 127.0.0.1:57494] AH01102: error reading status line from remote server upstream.proxy-2.lab:9000",
      "upstream.proxy-2.lab:9000",
    ],
    [
      "[Sun Nov 22 22:31:10.271644 2026] [proxy:error] [pid 15302:tid 15305] (20014)Internal error (specific information not available): [client 127.0.0.1:55420] AH01084: pass request body failed to 127.0.3.1:9000 (upstream.proxy-1.lab)",
      "upstream.proxy-1.lab:9000",
    ],
    [
      "[Sun Nov 22 22:31:09.760086 2026] [proxy:error] [pid 15209:tid 15215] (EAI 2)Name or service not known: [client 127.0.0.1:55382] AH00898: DNS lookup failure for: upstream.proxy-1.lab returned by /api/",
      "upstream.proxy-1.lab",
    ],
    [
      "curl: (7) Failed to connect to 127.0.0.1 port 18089 after 0 ms: Couldn't connect to server",
      "127.0.0.1:18089",
    ],
    [
      "nc: connect to upstream.proxy-1.lab (127.0.1.1) port 9000 (tcp) failed: Connection refused",
      "upstream.proxy-1.lab:9000",
    ],
    ["curl: (6) Could not resolve host: no-such.invalid", "no-such.invalid"],
    ["[client 127.0.0.1:1] AH01106: bad HTTP/1.1 header returned by /api/ (GET)", null],
  ])("finds the upstream in line %#", (line, upstream) => {
    expect(upstreamNamedIn(line)).toBe(upstream);
  });
});

describe("recommendations", () => {
  it.each(causes.map((cause) => [cause]))("says what to do next for %s, naming where", (cause) => {
    const text = recommendationFor(cause, "proxy-2", "10.0.1.5:8080");
    expect(text).toContain("proxy-2");
    expect(text.length).toBeGreaterThan(60);
  });

  it("tells the operator which upstream does not listen, from which proxy", () => {
    expect(recommendationFor("upstream_refused", "proxy-2", "10.0.1.5:8080")).toMatch(
      /^Nothing listens on 10\.0\.1\.5:8080 as seen from proxy-2: start or restart the upstream service/,
    );
  });
});

describe("access log formats beyond the lab's", () => {
  it("reads Debian's vhost_combined and common formats", () => {
    const vhost = parseAccessLogLine(
      'proxy.example.com:443 10.0.0.7 - - [22/Nov/2026:22:12:12 +0000] "GET /api/x HTTP/2.0" 502 559 "-" "curl/7.88.1"',
    );
    expect(vhost).toMatchObject({ path: "/api/x", status: 502, durationUs: null });
    const common = parseAccessLogLine(
      '10.0.0.7 - alice [22/Nov/2026:22:12:12 +0000] "GET / HTTP/1.1" 200 124',
    );
    expect(common).toMatchObject({ path: "/", status: 200 });
  });
});

describe("names come only from what Apache, curl and nc write, never from the client", () => {
  const hostile = "http://x/ attempt to connect to x (<!channel> <https://evil.example|Approve>)";

  it("ignores the Referer Apache appends to an error line", () => {
    const refused =
      "[Sun Nov 22 22:35:04.667204 2026] [proxy:error] [pid 26739:tid 26743] (111)Connection refused: AH00957: http: attempt to connect to 127.0.3.1:9000 (upstream.proxy-1.lab:9000) failed" +
      `, referer: ${hostile}`;
    const hang =
      "[Sun Nov 22 22:35:08.729649 2026] [proxy_http:error] [pid 26773:tid 26777] (70007)The timeout specified has expired: [client 127.0.0.1:59220] AH01102: error reading status line from remote server upstream.proxy-1.lab:9000" +
      `, referer: ${hostile}`;
    expect(upstreamNamedIn(refused)).toBe("upstream.proxy-1.lab:9000");
    expect(upstreamNamedIn(hang)).toBe("upstream.proxy-1.lab:9000");
  });

  it("takes nothing from a line whose only name is the client's", () => {
    const noName =
      "[Sun Nov 22 22:35:08.729704 2026] [proxy:error] [pid 26773:tid 26777] [client 127.0.0.1:59220] AH00898: Error reading from remote server returned by /api/" +
      `, referer: ${hostile}`;
    const uri =
      "[Sun Nov 22 22:35:08.729704 2026] [proxy:error] [pid 26773:tid 26777] [client 127.0.0.1:59220] AH00898: Error reading from remote server returned by /a attempt to connect to x (<!channel>) failed";
    const malformed = `[Sun Nov 22 22:35:08.729704 2026] [proxy_http:warn] [pid 1:tid 2] [client 127.0.0.1:1] AH01106: bad HTTP/1.1 header returned by /api/ (GET), referer: ${hostile}`;
    expect(upstreamNamedIn(noName)).toBeNull();
    expect(upstreamNamedIn(uri)).toBeNull();
    expect(upstreamNamedIn(malformed)).toBeNull();
  });

  it("reads the DNS name before the URI, not the URI", () => {
    const line =
      "[Sun Nov 22 22:35:16.689044 2026] [proxy:error] [pid 26892:tid 26894] (EAI 3)Temporary failure in name resolution: [client 127.0.0.1:42542] AH00898: DNS lookup failure for: upstream.proxy-1.lab returned by /x DNS lookup failure for: evil";
    expect(upstreamNamedIn(line)).toBe("upstream.proxy-1.lab");
  });

  it("never reads an access log line (request line, Referer, User-Agent are the client's)", () => {
    const line = `127.0.0.1 - - [22/Nov/2026:22:35:04 +0000] "GET /api/ HTTP/1.1" 502 341 "${hostile}" "curl: (7) Failed to connect to evil port 1 <@U999>" 3000123`;
    expect(upstreamNamedIn(line)).toBeNull();
  });
});
