import { diagnoseHost } from "../../../../src/domain/diagnosis";
import { parseNginxAccessLine } from "../../../../src/domain/proxies/nginx/access-log";
import { parseNginxConfigTest } from "../../../../src/domain/proxies/nginx/configtest";
import { parseNginxErrorLine } from "../../../../src/domain/proxies/nginx/error-log";
import { classifyNginxError } from "../../../../src/domain/proxies/nginx/error-log-rules";
import { nginxUpstreamNamedIn } from "../../../../src/domain/proxies/nginx/upstream-named";

// Lines Debian's nginx 1.22.1 wrote when its upstreams were broken each way (captured on loopback;
// the lab's captures in test/fixtures hold the same messages).
const line = (message: string, path: string): string =>
  `2026/12/03 10:41:50 [error] 11179#11179: *1 ${message}, client: 127.0.0.1, server: , request: "GET ${path} HTTP/1.1", upstream: "http://127.0.5.1:9001${path}", host: "127.0.5.1:8080"`;

const captured: [string, string][] = [
  ["connect() failed (111: Connection refused) while connecting to upstream", "upstream_refused"],
  [
    "upstream timed out (110: Connection timed out) while reading response header from upstream",
    "upstream_timeout",
  ],
  [
    "upstream sent no valid HTTP/1.0 header while reading response header from upstream",
    "upstream_bad_response",
  ],
  [
    "recv() failed (104: Connection reset by peer) while reading response header from upstream",
    "upstream_reset",
  ],
  [
    "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream",
    "backend_tls",
  ],
  [
    "upstream prematurely closed connection while reading response header from upstream",
    "upstream_reset",
  ],
  ["no live upstreams while connecting to upstream", "upstream_unhealthy"],
];

describe("nginx error log", () => {
  it.each(captured)("reads %s as %s", (message, cause) => {
    const entry = parseNginxErrorLine(line(message, "/api/"), null);
    expect(entry?.message).toBe(message);
    expect(classifyNginxError(entry!)?.cause).toBe(cause);
  });

  it("takes the upstream's host:port from nginx's field, never the client's path or Host", () => {
    expect(nginxUpstreamNamedIn(line(captured[0]![0], "/x"))).toBe("127.0.5.1:9001");
    const hostile =
      '2026/12/03 10:41:50 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: , request: "GET /a HTTP/1.1", upstream: "http://10.0.0.5:8080/a", host: "x\\", upstream: \\"http://evil.example:1/ <!channel>"';
    expect(nginxUpstreamNamedIn(hostile)).toBe("10.0.0.5:8080");
    const inRequest = line(
      "connect() failed (111: Connection refused) while connecting to upstream",
      "/,upstream:<!here>",
    );
    expect(classifyNginxError(parseNginxErrorLine(inRequest, null)!)?.cause).toBe(
      "upstream_refused",
    );
  });

  it("reads the message only: a request path that reads like another failure changes nothing", () => {
    const entry = parseNginxErrorLine(
      line(
        "connect() failed (111: Connection refused) while connecting to upstream",
        "/no%20live%20upstreams",
      ),
      null,
    );
    expect(classifyNginxError(entry!)?.cause).toBe("upstream_refused");
  });
});

describe("nginx access log (proxy_timed)", () => {
  it("reads status, path and request time", () => {
    const entry = parseNginxAccessLine(
      '127.0.0.1 - - [03/Dec/2026:10:41:52 +0000] "GET /hang?id=7 HTTP/1.1" 504 167 "-" "curl/7.88.1" rt=2.001 uct=0.000 uht=- urt=2.002 us=504 ua=127.0.5.1:9002',
    );
    expect(entry).toMatchObject({ status: 504, path: "/hang", durationUs: 2_001_000 });
    expect(entry?.timeMs).toBe(Date.UTC(2026, 11, 3, 10, 41, 52));
  });

  it("reads Debian's plain combined lines without timings", () => {
    const entry = parseNginxAccessLine(
      '127.0.0.1 - - [03/Dec/2026:10:41:52 +0000] "GET / HTTP/1.1" 502 157 "-" "curl/7.88.1"',
    );
    expect(entry).toMatchObject({ status: 502, durationUs: null });
  });
});

describe("nginx -t", () => {
  it("passes on Debian's two success lines", () => {
    const ok = parseNginxConfigTest(
      "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n",
      0,
    );
    expect(ok.ok).toBe(true);
  });

  it("fails with the directive and file it names", () => {
    const broken = parseNginxConfigTest(
      '2026/12/03 10:42:51 [emerg] 14221#14221: unknown directive "proxy_read_timeot" in /etc/nginx/sites-enabled/lab:8\nnginx: configuration file /etc/nginx/nginx.conf test failed\n',
      1,
    );
    expect(broken.ok).toBe(false);
    expect(broken.errors[0]).toMatch(/unknown directive "proxy_read_timeot"/);
  });
});

describe("an nginx host's diagnosis", () => {
  it("finds a refused upstream from the error log step", () => {
    const output = `clock: 1796294520 +0000\n${line(captured[0]![0], "/api/")}\n`;
    const [finding] = diagnoseHost(
      [{ stepId: "error-log", parser: "nginx-error-log", status: "ok", exitCode: 0, output }],
      { windowMinutes: 15, nowMs: 1796294520_000 },
    );
    expect(finding?.cause).toBe("upstream_refused");
  });
});
