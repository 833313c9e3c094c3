/**
 * Regenerates test/fixtures/captures/{nginx,haproxy}/ from the real proxies: brings up one host of
 * each kind, provokes every mode (and a few variants), and stores what the proxy wrote (error log,
 * access log, HAProxy's log and its master's stderr, `nginx -t` / `haproxy -c`, `show stat`) and
 * what clients got. Also records what `systemctl is-active`, `docker ps` and `kubectl get pods`
 * print on this machine (test/fixtures/captures/backend-checks/).
 *
 *   npm run build && npm run lab -- capture [--kinds nginx,haproxy] [--out test/fixtures/captures]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { haproxySocketCommand } from "./haproxy-host";
import { hostPaths } from "./host-files";
import { KIND_MODES, NO_RESPONSE, up, type Lab, type LabHost, type LabMode } from "./lab";
import type { ProxyKind } from "./modes";
import { nginxSite } from "./nginx-host";
import { runCommand, sleep, waitUntil, type CommandResult } from "./processes";
import { setUpstreamBehaviour } from "./upstream-behaviour";
import type { UpstreamBehaviour } from "./upstream-server";

const REQUESTS = 3;

export interface CaptureOptions {
  out: string;
  kinds: readonly ProxyKind[];
}

/** One captured command: what an operator would type, and what came back. */
export interface CapturedCommand {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface KindCapture {
  kind: ProxyKind;
  name: string;
  mode: LabMode | null;
  describe: string;
  proxyVersion: string;
  clientStatuses: number[];
  /** nginx: /var/log/nginx/error.log; HAProxy: /var/log/haproxy.log (its only log). */
  errorLog: string[];
  /** nginx: /var/log/nginx/access.log; HAProxy: the same file as errorLog. */
  accessLog: string[];
  /** HAProxy: the master's stderr (the journal under systemd). */
  masterLog?: string[];
  configtest: CapturedCommand;
  /** What a reload by the operator's command says (config-syntax, dns-failure). */
  reload?: CapturedCommand;
  /** HAProxy: `show stat` on the stats socket after the requests. */
  showStat?: string;
  /** nginx: GET /nginx_status (stub_status) after the requests. */
  stubStatus?: string;
}

interface Variant {
  name: string;
  mode: LabMode;
  describe: string;
  apply?: (lab: Lab, host: LabHost) => Promise<void>;
}

const DESCRIPTIONS: Readonly<Record<LabMode, string>> = {
  "upstream-stopped": "the upstream process is stopped: nothing listens on its port",
  "upstream-hang": "the upstream accepts and reads the request but never answers",
  "upstream-malformed": "the upstream answers a header line that is no header",
  "upstream-reset": "the upstream resets the connection (RST) after reading the request",
  "dns-failure": "the upstream's name no longer resolves (gone from /etc/hosts), then a reload",
  "backend-tls": "the proxy speaks TLS to the plain-HTTP upstream",
  "config-syntax": "a typo in the proxy's config, then a reload signal to the master",
  "worker-exhaustion":
    "connection limits reached: a hanging upstream and more clients than allowed",
  "upstream-unhealthy": "every server of the upstream is marked down (health checks / max_fails)",
};

const behaviour =
  (value: UpstreamBehaviour) =>
  async (lab: Lab, host: LabHost): Promise<void> =>
    setUpstreamBehaviour(lab.dir, host.name, value);

const VARIANTS: readonly Variant[] = [
  {
    name: "upstream-malformed--bad-status-line",
    mode: "upstream-malformed",
    describe: "the upstream answers bytes that are no HTTP status line",
    apply: behaviour("malformed-status"),
  },
  {
    name: "upstream-reset--mid-headers",
    mode: "upstream-reset",
    describe: "the upstream resets after half a header block",
    apply: behaviour("reset-mid-headers"),
  },
  {
    name: "upstream-reset--mid-body",
    mode: "upstream-reset",
    describe: "the upstream resets after the headers and part of the body",
    apply: behaviour("reset-mid-body"),
  },
  {
    name: "upstream-reset--close-without-answer",
    mode: "upstream-reset",
    describe: "the upstream closes (FIN, no RST) without answering",
    apply: behaviour("close"),
  },
];

/** nginx only: a resolver and a variable in proxy_pass, so the name is looked up per request. */
const NGINX_RESOLVER_VARIANT: Variant = {
  name: "dns-failure--resolver",
  mode: "dns-failure",
  describe: "proxy_pass through a variable with `resolver 127.0.0.1`, where no DNS server listens",
  apply: async (lab, host) => {
    writeFileSync(hostPaths(lab.dir, host.name).nginxSite, nginxSite(host, "dns-resolver"));
    await reloadNginx(lab, host);
  },
};

/** nginx only: the upstream's server limited to two connections (max_conns) and hanging. */
const NGINX_MAX_CONNS_VARIANT: Variant = {
  name: "worker-exhaustion--max-conns",
  mode: "upstream-hang",
  describe: "`server … max_conns=2` in an upstream block, a hanging upstream, three clients",
  apply: async (lab, host) => {
    writeFileSync(hostPaths(lab.dir, host.name).nginxSite, nginxSite(host, "max-conns"));
    await reloadNginx(lab, host);
  },
};

async function reloadNginx(lab: Lab, host: LabHost): Promise<void> {
  const master = readFileSync(hostPaths(lab.dir, host.name).nginxPidFile, "utf8").trim();
  await lab.exec(host.name, ["kill", "-HUP", master]);
  await sleep(1000);
}

export async function captureKinds(options: CaptureOptions): Promise<void> {
  const lab = await up(options.kinds.length, { kinds: options.kinds });
  try {
    const backendChecks = join(options.out, "backend-checks");
    mkdirSync(backendChecks, { recursive: true });
    writeJson(join(backendChecks, "commands.json"), await captureBackendChecks());
    const tables = await Promise.all(
      lab.hosts.map((host) => captureHost(lab, host, join(options.out, host.kind))),
    );
    console.log(`fixtures written to ${options.out}\n`);
    console.log("| kind | capture | clients got |\n| --- | --- | --- |");
    for (const rows of tables) for (const row of rows) console.log(row);
  } finally {
    await lab.down();
  }
}

async function captureHost(lab: Lab, host: LabHost, out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const version = await proxyVersion(host.kind);
  const rows: string[] = [];
  const record = (capture: KindCapture): void => {
    writeJson(join(out, `${capture.name}.json`), capture);
    const statuses = capture.clientStatuses.map((s) => (s === NO_RESPONSE ? "none" : String(s)));
    rows.push(`| ${host.kind} | ${capture.name} | ${statuses.join(" ")} |`);
  };
  record(await captureOne(lab, host, version, null, "healthy", "nothing is broken"));
  for (const mode of KIND_MODES[host.kind]) {
    record(await captureOne(lab, host, version, mode, mode, DESCRIPTIONS[mode]));
  }
  const variants =
    host.kind === "nginx"
      ? [...VARIANTS, NGINX_RESOLVER_VARIANT, NGINX_MAX_CONNS_VARIANT]
      : VARIANTS;
  for (const variant of variants) {
    record(
      await captureOne(lab, host, version, variant.mode, variant.name, variant.describe, variant),
    );
  }
  return rows;
}

async function captureOne(
  lab: Lab,
  host: LabHost,
  version: string,
  mode: LabMode | null,
  name: string,
  describe: string,
  variant?: Variant,
): Promise<KindCapture> {
  await lab.fix(host.name);
  // The proxy logs a request after the client has its answer: let fix()'s last probe land first.
  await sleep(500);
  const paths = hostPaths(lab.dir, host.name);
  truncate([host.errorLog, host.accessLog, paths.haproxyMasterLog]);
  if (mode !== null) await lab.break(host.name, mode);
  if (variant?.apply) await variant.apply(lab, host);
  const reload =
    mode === "config-syntax" || mode === "dns-failure" ? await reloadCommand(lab, host) : undefined;
  const clientStatuses = await lab.hit(host.name, REQUESTS, "/api/", {
    concurrency: REQUESTS,
    timeoutMs: 60_000,
  });
  if (mode === "worker-exhaustion" || mode === "upstream-hang") await sleep(4000);
  await waitUntil(() => requestLines(host) >= REQUESTS, {
    timeoutMs: 15_000,
    what: `${host.name}'s access log`,
  }).catch(() => undefined);
  await sleep(300);
  const capture: KindCapture = {
    kind: host.kind,
    name,
    mode,
    describe,
    proxyVersion: version,
    clientStatuses,
    errorLog: lines(host.errorLog),
    accessLog: lines(host.accessLog),
    configtest: await configtest(lab, host),
    ...(reload ? { reload } : {}),
  };
  if (host.kind === "haproxy") {
    capture.masterLog = lines(paths.haproxyMasterLog);
    capture.showStat = await haproxySocketCommand(paths.haproxyAdminSocket, "show stat");
  } else {
    capture.stubStatus = await stubStatus(host);
  }
  await lab.fix(host.name);
  return capture;
}

/** The operator's check of the config file, stdout and stderr interleaved as on a terminal. */
async function configtest(lab: Lab, host: LabHost): Promise<CapturedCommand> {
  const command = host.kind === "nginx" ? "nginx -t" : "haproxy -c -f /etc/haproxy/haproxy.cfg";
  return shell(lab, host, command);
}

/** The operator's reload: Debian's `nginx -s reload`; HAProxy's `reload` on the master CLI. */
async function reloadCommand(lab: Lab, host: LabHost): Promise<CapturedCommand> {
  if (host.kind === "nginx") return shell(lab, host, "nginx -s reload");
  const paths = hostPaths(lab.dir, host.name);
  const answer = await haproxySocketCommand(paths.haproxyMasterSocket, "reload");
  await sleep(1500);
  return {
    command: "echo reload | socat stdio /run/haproxy-master.sock",
    exitCode: 0,
    stdout: answer,
    stderr: "",
  };
}

async function shell(lab: Lab, host: LabHost, command: string): Promise<CapturedCommand> {
  const result = await lab.exec(host.name, ["sh", "-c", `${command} 2>&1`]);
  return { command, exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
}

async function stubStatus(host: LabHost): Promise<string> {
  const result = await runCommand("curl", [
    "-s",
    "--max-time",
    "5",
    `http://${host.address}/nginx_status`,
  ]);
  return result.stdout;
}

async function proxyVersion(kind: ProxyKind): Promise<string> {
  const version =
    kind === "nginx" ? await runCommand("nginx", ["-v"]) : await runCommand("haproxy", ["-v"]);
  const debian = await runCommand("dpkg-query", ["-W", "-f", "${Version}", kind]);
  const first = `${version.stdout}${version.stderr}`.trim().split("\n")[0] ?? "";
  return `${first} (Debian package ${kind} ${debian.stdout.trim()})`;
}

/** What the backend checks of a playbook print here, whether or not the tool can answer. */
async function captureBackendChecks(): Promise<Record<string, CapturedCommand | string>> {
  const checks: [string, string[]][] = [
    ["systemctl", ["is-active", "apache2"]],
    ["systemctl", ["is-active", "ssh"]],
    ["systemctl", ["is-active", "no-such-unit.service"]],
    ["systemctl", ["is-active", "--quiet", "apache2"]],
    ["docker", ["ps", "--format", "{{.Names}}\t{{.Status}}"]],
    ["docker", ["ps", "--all", "--filter", "name=upstream", "--format", "{{json .}}"]],
    ["kubectl", ["get", "pods", "--request-timeout=5s"]],
    ["kubectl", ["get", "pods", "-o", "json", "--request-timeout=5s"]],
  ];
  const results: Record<string, CapturedCommand | string> = {
    capturedAt: new Date().toISOString(),
  };
  for (const [tool, args] of checks) {
    const command = [tool, ...args].join(" ");
    const which = await runCommand("sh", ["-c", `command -v ${tool}`]);
    if (which.code !== 0) {
      results[command] = `${tool} is not installed on the capturing machine`;
      continue;
    }
    const result: CommandResult = await runCommand(tool, args, { timeoutMs: 20_000 }).catch(
      (error: unknown) => ({ code: -1, stdout: "", stderr: String(error) }),
    );
    results[command] = {
      command,
      exitCode: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  }
  return results;
}

function requestLines(host: LabHost): number {
  // HAProxy's request lines carry the frontend name; nginx's access log holds nothing else.
  return lines(host.accessLog).filter(
    (line) => host.kind !== "haproxy" || line.includes(" lab_proxy "),
  ).length;
}

function lines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

function truncate(paths: readonly string[]): void {
  // Every writer appends (O_APPEND), so emptying the files in place is safe while they run.
  for (const path of new Set(paths)) writeFileSync(path, "");
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
