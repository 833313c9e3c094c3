import { parseAccessLog } from "../../../../src/domain/proxies/apache/access-log";
import { summarizeAccessLog } from "../../../../src/domain/diagnosis/access-log";
import { parseConfigTest } from "../../../../src/domain/proxies/apache/configtest";
import { parseConnections } from "../../../../src/domain/diagnosis/parsers/connections";
import { parseDnsProbe } from "../../../../src/domain/diagnosis/parsers/dns-probe";
import { parseErrorLogLine } from "../../../../src/domain/proxies/apache/error-log";
import {
  httpProbeSignals,
  parseHttpProbe,
} from "../../../../src/domain/diagnosis/parsers/http-probe";
import { parseModules } from "../../../../src/domain/proxies/apache/modules";
import {
  openFilesSignals,
  parseOpenFiles,
} from "../../../../src/domain/diagnosis/parsers/open-files";
import {
  parseServerStatus,
  serverStatusSignals,
} from "../../../../src/domain/proxies/apache/server-status";
import { parseTcpProbe } from "../../../../src/domain/diagnosis/parsers/tcp-probe";
import { parseVirtualHosts } from "../../../../src/domain/proxies/apache/vhosts";
import { classifyErrorLogEntry } from "../../../../src/domain/proxies/apache/error-log-rules";

// Every line below was written by Apache 2.4.71, curl 7.88, nc (netcat-openbsd) or getent on
// Debian 12, in the incident lab or against a hand-run Apache; none is made up.

describe("the Apache error log parser", () => {
  it("reads time, module, level, pid, errno, client, AH code and message of a proxy line", () => {
    const line =
      "[Sun Nov 22 22:24:26.955655 2026] [proxy_http:error] [pid 27192:tid 27206] (70007)The timeout specified has expired: [client 127.0.0.1:57494] AH01102: error reading status line from remote server upstream.proxy-2.lab:9000";
    expect(parseErrorLogLine(line, null)).toEqual({
      timeMs: Date.parse("2026-11-22T22:24:26.955Z"),
      module: "proxy_http",
      level: "error",
      pid: 27192,
      errno: "70007",
      errorText: "The timeout specified has expired",
      client: "127.0.0.1:57494",
      remote: null,
      code: "AH01102",
      message: "error reading status line from remote server upstream.proxy-2.lab:9000",
      line,
    });
  });

  it("reads lines without client or errno, and errno with text in parentheses", () => {
    const worker = parseErrorLogLine(
      "[Sun Nov 22 22:24:15.311600 2026] [mpm_event:error] [pid 27473:tid 27473] AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting",
      null,
    );
    expect(worker).toMatchObject({
      module: "mpm_event",
      code: "AH00484",
      client: null,
      errno: null,
    });
    const closed = parseErrorLogLine(
      "[Sun Nov 22 22:27:14.719679 2026] [proxy_http:error] [pid 27338:tid 27344] (20014)Internal error (specific information not available): [client 127.0.0.1:43156] AH01102: error reading status line from remote server upstream.proxy-9.lab:9000",
      null,
    );
    expect(closed).toMatchObject({ errno: "20014", code: "AH01102", client: "127.0.0.1:43156" });
    const dns = parseErrorLogLine(
      "[Sun Nov 22 22:24:15.187038 2026] [proxy:error] [pid 27504:tid 27512] (EAI 3)Temporary failure in name resolution: [client 127.0.0.1:54658] AH00898: DNS lookup failure for: upstream.proxy-5.lab returned by /api/",
      null,
    );
    expect(dns).toMatchObject({ errno: "EAI 3", code: "AH00898" });
  });

  it("reads the time as the host's local time when the clock line gives an offset", () => {
    const line =
      "[Sun Nov 22 23:24:15.311600 2026] [mpm_event:error] [pid 1:tid 1] AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting";
    const entry = parseErrorLogLine(line, { nowMs: 0, utcOffsetMinutes: 60 });
    expect(entry?.timeMs).toBe(Date.parse("2026-11-22T22:24:15.311Z"));
  });

  it("drops the referer suffix from the message and refuses lines that are not log lines", () => {
    const line =
      "[Sun Nov 22 22:24:14.917208 2026] [proxy_http:warn] [pid 27198:tid 27262] [client 127.0.0.1:36746] AH01106: bad HTTP/1.1 header returned by /api/ (GET), referer: http://example.test/";
    expect(parseErrorLogLine(line, null)?.message).toBe(
      "bad HTTP/1.1 header returned by /api/ (GET)",
    );
    expect(parseErrorLogLine("tac: failed to open '/x' for reading", null)).toBeNull();
    expect(parseErrorLogLine("[Sun Nov 22 22:24:14.91", null)).toBeNull();
  });
});

describe("the error log rules", () => {
  const classify = (line: string) => {
    const entry = parseErrorLogLine(line, null);
    return entry ? (classifyErrorLogEntry(entry)?.cause ?? null) : "not a line";
  };

  it.each([
    [
      "(111)Connection refused: AH00957: http: attempt to connect to 127.0.1.1:9000 (upstream.proxy-1.lab:9000) failed",
      "proxy",
      "upstream_refused",
    ],
    [
      "[client 127.0.0.1:38556] AH01114: HTTP: failed to make connection to backend: 127.0.0.1",
      "proxy_http",
      "upstream_refused",
    ],
    [
      "(70007)The timeout specified has expired: [client 127.0.0.1:1] AH01102: error reading status line from remote server u:9000",
      "proxy_http",
      "upstream_timeout",
    ],
    [
      "(104)Connection reset by peer: [client 127.0.0.1:1] AH01102: error reading status line from remote server u:9000",
      "proxy_http",
      "upstream_reset",
    ],
    [
      "(20014)Internal error (specific information not available): [client 127.0.0.1:1] AH01102: error reading status line from remote server u:9000",
      "proxy_http",
      "upstream_reset",
    ],
    [
      "(22)Invalid argument: [client 127.0.0.1:1] AH01102: error reading status line from remote server u:9000",
      "proxy_http",
      "upstream_bad_response",
    ],
    [
      "[client 127.0.0.1:1] AH01106: bad HTTP/1.1 header returned by /api/ (GET)",
      "proxy_http",
      "upstream_bad_response",
    ],
    [
      "(104)Connection reset by peer: [client 127.0.0.1:1] AH10404: Error reading headers from backend",
      "proxy_http",
      "upstream_reset",
    ],
    [
      "(104)Connection reset by peer: [client 127.0.0.1:1] AH01110: error reading response",
      "proxy_http",
      "upstream_reset",
    ],
    [
      "(70008)Partial results are valid but processing is incomplete: [client 127.0.0.1:1] AH01110: error reading response",
      "proxy_http",
      "upstream_bad_response",
    ],
    [
      "(EAI 2)Name or service not known: [client 127.0.0.1:1] AH00898: DNS lookup failure for: no-such-upstream.invalid returned by /dns",
      "proxy",
      "dns_failure",
    ],
    [
      "[client 127.0.0.1:1] AH00898: Error during SSL Handshake with remote server returned by /api/",
      "proxy",
      "backend_tls",
    ],
    [
      "AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting",
      "mpm_event",
      "proxy_exhausted",
    ],
    [
      "[client 127.0.0.1:1] AH00898: Error reading from remote server returned by /api/",
      "proxy",
      null,
    ],
    // AH01085 is the client's unparsable Content-Length (a 400), not an upstream failure.
    [
      "[client 127.0.0.1:1] AH01085: could not parse request Content-Length (abc)",
      "proxy_http",
      null,
    ],
    ["AH01882: Init: this version of mod_ssl was compiled against a newer library", "ssl", null],
  ])("reads error log line %# (%s, module %s) as %s", (rest, module, cause) => {
    expect(
      classify(`[Sun Nov 22 22:12:12.380697 2026] [${module}:error] [pid 1:tid 2] ${rest}`),
    ).toBe(cause);
  });
});

describe("the access log parser", () => {
  const lines = [
    '127.0.0.1 - - [22/Nov/2026:22:24:14 +0000] "GET /api/orders?id=7 HTTP/1.1" 502 638 "-" "incident-lab/1" 990',
    '127.0.0.1 - - [22/Nov/2026:22:24:15 +0000] "GET /api/orders HTTP/1.1" 502 638 "-" "incident-lab/1" 3005980',
    '127.0.0.1 - - [22/Nov/2026:22:24:16 +0000] "GET /api/ HTTP/1.1" 200 198 "-" "incident-lab/1" 7473',
    '127.0.0.1 - - [22/Nov/2026:22:24:17 +0000] "GET /api/ HTTP/1.1" 503 604 "-" "incident-lab/1" 211',
    '10.0.0.9 - - [22/Nov/2026:23:24:18 +0100] "POST /login HTTP/1.1" 500 569 "https://x.test/a b" "Mozilla/5.0 (X11)"',
  ].join("\n");

  it("reads status, path without query, response time and the time zone", () => {
    const entries = parseAccessLog(lines);
    expect(entries).toHaveLength(5);
    expect(entries[0]).toMatchObject({
      method: "GET",
      path: "/api/orders",
      status: 502,
      durationUs: 990,
    });
    expect(entries[4]).toMatchObject({ status: 500, durationUs: null });
    expect(entries[4]?.timeMs).toBe(Date.parse("2026-11-22T22:24:18Z"));
  });

  it("counts statuses, the 502/503/504 rate, the most failing paths and percentiles", () => {
    const summary = summarizeAccessLog(parseAccessLog(lines));
    expect(summary.byStatus).toEqual({ "200": 1, "500": 1, "502": 2, "503": 1 });
    expect(summary.gatewayErrors).toBe(3);
    expect(summary.gatewayErrorRate).toBeCloseTo(0.6);
    expect(summary.topFailingPaths[0]).toEqual({ path: "/api/orders", count: 2 });
    expect(summary.responseMs).toEqual({ p50: 0.99, p90: 3005.98, p99: 3005.98, max: 3005.98 });
    expect(summary.samples[0]).toContain("POST /login");
  });

  it("reads nothing from empty or cut-off output", () => {
    expect(parseAccessLog("")).toEqual([]);
    expect(
      parseAccessLog('127.0.0.1 - - [22/Nov/2026:22:24:14 +0000] "GET /api/ HTTP/1.1" 50'),
    ).toEqual([]);
  });
});

describe("the probe parsers", () => {
  it.each([
    [
      "http_code=000 time_total=0.000174\ncurl: (7) Failed to connect to 127.0.0.1 port 18089 after 0 ms: Couldn't connect to server",
      7,
      "upstream_refused",
    ],
    [
      "http_code=000 time_total=2.001560\ncurl: (28) Operation timed out after 2001 milliseconds with 0 bytes received",
      28,
      "upstream_timeout",
    ],
    [
      "http_code=000 time_total=0.001969\ncurl: (6) Could not resolve host: no-such.invalid",
      6,
      "dns_failure",
    ],
    [
      "http_code=000 time_total=0.066038\ncurl: (35) OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number",
      35,
      "backend_tls",
    ],
    ["http_code=000 time_total=0.004573\ncurl: (52) Empty reply from server", 52, "upstream_reset"],
    [
      "http_code=000 time_total=0.001345\ncurl: (56) Recv failure: Connection reset by peer",
      56,
      "upstream_reset",
    ],
    [
      "http_code=200 time_total=0.001003\ncurl: (8) Header without colon",
      8,
      "upstream_bad_response",
    ],
    [
      "http_code=000 time_total=0.001549\ncurl: (1) Received HTTP/0.9 when not allowed",
      1,
      "upstream_bad_response",
    ],
    ["http_code=200 time_total=0.001787 url=http://upstream.proxy-1.lab:9000/", 0, null],
  ])("reads curl output %# (%j, exit %i) as %s", (output, exit, cause) => {
    const probe = parseHttpProbe(output, exit);
    expect(httpProbeSignals(probe, "upstream-http")[0]?.cause ?? null).toBe(cause);
  });

  it("reads the status, time and url of a successful curl probe", () => {
    expect(parseHttpProbe("http_code=200 time_total=0.001787 url=http://u:9000/\n", 0)).toEqual({
      httpCode: 200,
      timeTotalSeconds: 0.001787,
      url: "http://u:9000/",
      curlExit: 0,
      error: null,
    });
  });

  it.each([
    ["Connection to upstream.proxy-1.lab (127.0.1.1) 9000 port [tcp/*] succeeded!", 0, "open"],
    [
      "nc: connect to upstream.proxy-1.lab (127.0.1.1) port 9000 (tcp) failed: Connection refused",
      1,
      "refused",
    ],
    [
      'nc: getaddrinfo for host "no-such.invalid" port 80: Name or service not known',
      1,
      "unresolved",
    ],
    [
      "nc: connect to 10.255.255.1 port 80 (tcp) timed out: Operation now in progress",
      1,
      "timeout",
    ],
    ["", 1, "unknown"],
  ])("reads nc output %j as %s", (output, exit, result) => {
    expect(parseTcpProbe(output, exit).result).toBe(result);
  });

  it("reads getent: an answer, a name not found, an IP literal", () => {
    expect(parseDnsProbe("127.0.1.1       upstream.proxy-1.lab\n", 0)).toMatchObject({
      resolved: true,
      addresses: ["127.0.1.1"],
    });
    expect(
      parseDnsProbe("getent hosts upstream.proxy-5.lab: not found (exit 2)\n", 2).resolved,
    ).toBe(false);
    expect(parseDnsProbe("", 2).resolved).toBe(false);
    expect(parseDnsProbe("literal address 10.0.1.5\n", 0).resolved).toBeNull();
  });
});

describe("the apache2ctl parsers", () => {
  const broken =
    "Action 'configtest' failed.\nThe Apache error log may have more information.\nAH00526: Syntax error on line 14 of /etc/apache2/sites-enabled/lab-proxy.conf:\nInvalid command 'ProxyPasReverse', perhaps misspelled or defined by a module not included in the server configuration\n";

  it("reads configtest: Syntax OK, a syntax error with its explanation, an odd failure", () => {
    expect(
      parseConfigTest(
        "AH00558: apache2: Could not reliably determine the server's fully qualified domain name\nSyntax OK\n",
        0,
      ),
    ).toEqual({ ok: true, errors: [] });
    expect(parseConfigTest(broken, 1)).toEqual({
      ok: false,
      errors: [
        "AH00526: Syntax error on line 14 of /etc/apache2/sites-enabled/lab-proxy.conf:",
        "Invalid command 'ProxyPasReverse', perhaps misspelled or defined by a module not included in the server configuration",
      ],
    });
    expect(parseConfigTest("sh: 1: apache2ctl: not found\n", 127)).toEqual({
      ok: false,
      errors: ["sh: 1: apache2ctl: not found"],
    });
    expect(parseConfigTest("", null).ok).toBeNull();
  });

  it("reads apache2ctl -S: the virtual hosts, or the syntax error that stops it", () => {
    const listing =
      'VirtualHost configuration:\n127.0.1.1:80           proxy-1 (/etc/apache2/sites-enabled/lab-proxy.conf:5)\nServerRoot: "/etc/apache2"\n';
    expect(parseVirtualHosts(listing, 0)).toEqual({
      vhosts: [
        {
          address: "127.0.1.1:80",
          name: "proxy-1",
          source: "/etc/apache2/sites-enabled/lab-proxy.conf:5",
        },
      ],
      configOk: true,
      errors: [],
    });
    expect(parseVirtualHosts(broken.replace("configtest", "-S"), 1).configOk).toBe(false);
  });

  it("reads the proxy modules apache2ctl -M lists", () => {
    const report = parseModules(
      " proxy_module (shared)\n proxy_http_module (shared)\n ssl_module (shared)\n",
    );
    expect(report).toMatchObject({ proxyLoaded: true, proxyHttpLoaded: true, sslLoaded: true });
    expect(parseModules("").proxyLoaded).toBe(false);
  });
});

describe("the pressure parsers", () => {
  it("reads connection counts as a number or as ss lines", () => {
    expect(parseConnections("42\n").established).toBe(42);
    expect(
      parseConnections("0   0  127.0.1.1:80  127.0.0.1:5555\n0 0 127.0.1.1:80 127.0.0.1:5556\n")
        .established,
    ).toBe(2);
    expect(parseConnections("").established).toBe(0);
  });

  it("flags a process above 90% of its file descriptor limit", () => {
    const report = parseOpenFiles("pid=11529 fds=9 limit=20000\npid=26153 fds=1000 limit=1024\n");
    expect(report.processes).toHaveLength(2);
    expect(openFilesSignals(report, "open-files").map((s) => s.evidence)).toEqual([
      "pid=26153 fds=1000 limit=1024",
    ]);
  });

  it("flags no idle workers in mod_status, and not a healthy scoreboard", () => {
    const full = parseServerStatus(
      "127.0.1.8\nServerMPM: event\nBusyWorkers: 2\nIdleWorkers: 0\n",
      0,
    );
    expect(serverStatusSignals(full, "server-status")[0]?.cause).toBe("proxy_exhausted");
    const fine = parseServerStatus("BusyWorkers: 1\nIdleWorkers: 15\n", 0);
    expect(serverStatusSignals(fine, "server-status")).toEqual([]);
  });
});
