import { diagnoseHost } from "../../../../src/domain/diagnosis";
import { parseHaproxyConfigTest } from "../../../../src/domain/proxies/haproxy/configtest";
import { parseHaproxyLogLine } from "../../../../src/domain/proxies/haproxy/log";
import {
  classifyHaproxyEvent,
  classifyHaproxyRequest,
} from "../../../../src/domain/proxies/haproxy/log-rules";
import { parseHaproxyStat } from "../../../../src/domain/proxies/haproxy/stat";
import { haproxyUpstreamNamedIn } from "../../../../src/domain/proxies/haproxy/upstream-named";

// Lines Debian's HAProxy 2.6.12 wrote (option httplog) when its servers were broken each way,
// with the syslog prefix rsyslog adds in /var/log/haproxy.log.
const prefix = "Dec  3 10:42:09 proxy-3 haproxy[13043]: ";
const captured: [string, number, string][] = [
  [
    '127.0.0.1:49168 [03/Dec/2026:10:42:09.747] f refused/s1 0/0/-1/-1/3006 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /refused HTTP/1.1"',
    503,
    "upstream_refused",
  ],
  [
    '127.0.0.1:49176 [03/Dec/2026:10:42:12.765] f hang/s1 0/0/0/-1/2000 504 198 - - sH-- 1/1/0/0/0 0/0 "GET /hang HTTP/1.1"',
    504,
    "upstream_timeout",
  ],
  [
    '127.0.0.1:49178 [03/Dec/2026:10:42:14.777] f garbage/s1 0/0/0/-1/3 502 209 - - PH-- 1/1/0/0/0 0/0 "GET /garbage HTTP/1.1"',
    502,
    "upstream_bad_response",
  ],
  [
    '127.0.0.1:49190 [03/Dec/2026:10:42:14.791] f reset/s1 0/0/0/-1/0 502 209 - - SH-- 1/1/0/0/0 0/0 "GET /reset HTTP/1.1"',
    502,
    "upstream_reset",
  ],
  [
    '127.0.0.1:46854 [03/Dec/2026:10:42:17.838] f down/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /down HTTP/1.1"',
    503,
    "upstream_unhealthy",
  ],
];

describe("HAProxy log", () => {
  it.each(captured)("reads %s", (message, status, cause) => {
    const entry = parseHaproxyLogLine(prefix + message, null);
    expect(entry?.kind).toBe("request");
    if (entry?.kind !== "request") return;
    expect(entry.status).toBe(status);
    expect(classifyHaproxyRequest(entry).map((s) => s.cause)).toEqual([cause]);
  });

  it("reads the timers and the accept date", () => {
    const entry = parseHaproxyLogLine(prefix + captured[0]![0], null);
    expect(entry).toMatchObject({
      kind: "request",
      backend: "refused",
      server: "s1",
      termination: "SC--",
      retries: 3,
      timers: { tr: 0, tw: 0, tc: -1, tr2: -1, ta: 3006 },
      timeMs: Date.UTC(2026, 11, 3, 10, 42, 9, 747),
    });
  });

  it("reads health-check events", () => {
    const down = parseHaproxyLogLine(
      prefix +
        'Server lab_upstream/upstream is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      null,
    );
    const none = parseHaproxyLogLine(
      prefix + "backend lab_upstream has no server available!",
      null,
    );
    expect(down?.kind === "event" && classifyHaproxyEvent(down)?.cause).toBe("upstream_refused");
    expect(none?.kind === "event" && classifyHaproxyEvent(none)?.cause).toBe("upstream_unhealthy");
    expect(haproxyUpstreamNamedIn(none!.line)).toBe("lab_upstream");
  });

  it("names backend/server from HAProxy's fields, never from the client's request", () => {
    const hostile =
      prefix +
      '127.0.0.1:1 [03/Dec/2026:10:42:09.747] f app/s1 0/0/-1/-1/3006 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /backend%20evil%20has%20no%20server%20available! <!channel> HTTP/1.1"';
    expect(haproxyUpstreamNamedIn(hostile)).toBe("app/s1");
  });
});

describe("haproxy -c", () => {
  it("fails with the line and keyword HAProxy names", () => {
    const test = parseHaproxyConfigTest(
      "[NOTICE]   (14226) : haproxy version is 2.6.12-1+deb12u4\n[NOTICE]   (14226) : path to executable is /usr/sbin/haproxy\n[ALERT]    (14226) : config : parsing [/etc/haproxy/haproxy.cfg:12] : unknown keyword 'timout' in 'defaults' section; did you mean 'timeout' maybe ?\n[ALERT]    (14226) : config : Error(s) found in configuration file : /etc/haproxy/haproxy.cfg\n[ALERT]    (14226) : config : Fatal errors found in configuration.\n",
      1,
    );
    expect(test.ok).toBe(false);
    expect(test.errors).toEqual([expect.stringMatching(/unknown keyword 'timout'/)]);
  });

  it("passes on Configuration file is valid", () => {
    expect(parseHaproxyConfigTest("Configuration file is valid\n", 0).ok).toBe(true);
  });
});

describe("show stat", () => {
  const header =
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc";
  it("finds a backend with every server down", () => {
    const stat = parseHaproxyStat(
      [
        header,
        "down,s1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,5,5,,1,9,1,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem",
        "down,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,DOWN,0,0,0,,1,5,5,,1,9,0,,0,,1,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,",
      ].join("\n"),
    );
    expect(stat.backendsDown).toEqual(["down"]);
    expect(stat.servers?.[0]).toMatchObject({ backend: "down", server: "s1", status: "DOWN" });
  });
});

describe("a HAProxy host's diagnosis", () => {
  it("reads the log as both its access and its error log", () => {
    const output = `clock: 1796294540 +0000\n${captured
      .slice(4)
      .map(([l]) => prefix + l)
      .join("\n")}\n`;
    const [finding] = diagnoseHost(
      [{ stepId: "log", parser: "haproxy-log", status: "ok", exitCode: 0, output }],
      { windowMinutes: 15, nowMs: 1796294540_000 },
    );
    expect(finding?.cause).toBe("upstream_unhealthy");
  });
});

describe("HAProxy's SC with ssl on the server line", () => {
  const step = (stepId: string, parser: string, output: string, exitCode = 0) => ({
    stepId,
    parser,
    status: "ok" as const,
    exitCode,
    output,
  });
  const log = `clock: 1796294540 +0000\n${prefix}${captured[0]![0]}\n`;
  const backends =
    "35:backend lab_upstream\n37:\tserver upstream upstream.proxy-2.lab:9000 ssl verify none\n";
  const answered = "http_code=200 time_total=0.002 url=http://upstream.proxy-2.lab:9000/\n";
  const context = { windowMinutes: 15, nowMs: 1796294540_000 };

  it("is TLS to a plain port when the port answers plain HTTP", () => {
    const [finding] = diagnoseHost(
      [
        step("log", "haproxy-log", log),
        step("upstream-http", "http-probe", answered),
        step("backends", "haproxy-backends", backends),
      ],
      context,
    );
    expect(finding?.cause).toBe("backend_tls");
    expect(finding?.evidence.join("\n")).toContain("ssl verify none");
  });

  it("stays refused when nothing answers on the port", () => {
    const refused =
      "http_code=000 time_total=0.001 url=http://upstream.proxy-2.lab:9000/\ncurl: (7) Failed to connect to upstream.proxy-2.lab port 9000 after 0 ms: Couldn't connect to server\n";
    const [finding] = diagnoseHost(
      [
        step("log", "haproxy-log", log),
        step("upstream-http", "http-probe", refused, 7),
        step("backends", "haproxy-backends", backends),
      ],
      context,
    );
    expect(finding?.cause).toBe("upstream_refused");
  });
});

describe("show stat at a server's maxconn", () => {
  it("is an exhausted pool when the server is full and requests wait", () => {
    const header = "# pxname,svname,qcur,qmax,scur,smax,slim,status,check_desc";
    const output = [
      header,
      "lab_upstream,upstream,2,2,4,4,4,UP,",
      "lab_upstream,BACKEND,0,0,4,4,400,UP,",
    ].join("\n");
    const [finding] = diagnoseHost(
      [{ stepId: "stats", parser: "haproxy-stat", status: "ok", exitCode: 0, output }],
      { windowMinutes: 15, nowMs: Date.now() },
    );
    expect(finding?.cause).toBe("proxy_exhausted");
    expect(finding?.evidence[0]).toBe("show stat: lab_upstream/upstream UP 4/4 sessions, 2 queued");
  });
});

describe("a request that waited in HAProxy's queue", () => {
  it("is a full pool, beside what ended it", () => {
    const line =
      'Dec  3 11:18:17 proxy-16 haproxy[24079]: 127.0.0.1:34928 [03/Dec/2026:11:18:11.218] lab_proxy lab_upstream/upstream 0/3000/3/-1/6004 504 198 - - sH-- 1/1/0/0/0 0/2 "GET /api/ HTTP/1.1"';
    const entry = parseHaproxyLogLine(line, null);
    if (entry?.kind !== "request") throw new Error("not a request line");
    expect(classifyHaproxyRequest(entry).map((s) => s.cause)).toEqual([
      "upstream_timeout",
      "proxy_exhausted",
    ]);
  });
});
