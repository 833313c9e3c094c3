/**
 * Provokes the mod_proxy messages of Apache's catalogue (docs/apache-mod-proxy-messages.json) that
 * the break modes do not: a balancer whose only member fails, https:// without SSLProxyEngine, a
 * missing protocol module, a header over ResponseFieldSize, a worker connection limit, … and
 * stores what real Apache wrote in test/fixtures/apache/catalogue/<name>.error.log.
 *
 *   npm run build && npm run lab -- capture-apache-catalogue [--out test/fixtures/apache/catalogue]
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UPSTREAM_PORT, hostPaths, siteConfig, upstreamName } from "./host-files";
import { gracefulRestart } from "./host-runtime";
import { NO_RESPONSE, up, type Lab, type LabHost } from "./lab";
import { sleep } from "./processes";
import type { HostState } from "./state";
import { setUpstreamBehaviour } from "./upstream-behaviour";
import type { UpstreamBehaviour } from "./upstream-server";

const HOST = "proxy-1";

interface Provocation {
  name: string;
  describe: string;
  /** The lines that replace ProxyPass/ProxyPassReverse in the lab's site. */
  proxyConfig: (upstream: string, host: LabHost) => string;
  behaviour?: UpstreamBehaviour;
  stopUpstream?: boolean;
  /** Modules to disable for this provocation (Debian's a2dismod, by hand). */
  withoutModules?: readonly string[];
  requests: number;
  concurrency?: number;
}

const PROVOCATIONS: readonly Provocation[] = [
  {
    name: "balancer-member-refused",
    describe: "a balancer whose only member refuses connections: the member goes into error state",
    proxyConfig: (upstream) =>
      `<Proxy balancer://lab>\n        BalancerMember ${upstream} retry=30\n    </Proxy>\n` +
      `    ProxyPass /api/ balancer://lab/\n    ProxyPassReverse /api/ balancer://lab/`,
    stopUpstream: true,
    requests: 3,
  },
  {
    name: "balancer-failonstatus",
    describe: "a balancer with failonstatus=500 whose member answers 500",
    proxyConfig: (upstream) =>
      `<Proxy balancer://lab>\n        BalancerMember ${upstream} retry=30\n` +
      `        ProxySet failonstatus=500\n    </Proxy>\n` +
      `    ProxyPass /api/ balancer://lab/\n    ProxyPassReverse /api/ balancer://lab/`,
    behaviour: "error-500",
    requests: 3,
  },
  {
    name: "balancer-failontimeout",
    describe: "a balancer with failontimeout=on whose member hangs",
    proxyConfig: (upstream) =>
      `<Proxy balancer://lab>\n        BalancerMember ${upstream} retry=30\n` +
      `        ProxySet failontimeout=on\n    </Proxy>\n` +
      `    ProxyPass /api/ balancer://lab/\n    ProxyPassReverse /api/ balancer://lab/`,
    behaviour: "hang",
    requests: 3,
  },
  {
    name: "https-without-sslproxyengine",
    describe: "ProxyPass to https:// without SSLProxyEngine on",
    proxyConfig: (upstream) => {
      const tls = upstream.replace("http://", "https://");
      return `ProxyPass /api/ ${tls}\n    ProxyPassReverse /api/ ${tls}`;
    },
    requests: 3,
  },
  {
    name: "no-protocol-handler",
    describe: "ProxyPass to http:// with mod_proxy_http disabled",
    proxyConfig: (upstream) =>
      `ProxyPass /api/ ${upstream}\n    ProxyPassReverse /api/ ${upstream}`,
    withoutModules: ["proxy_http"],
    requests: 3,
  },
  {
    name: "header-over-responsefieldsize",
    describe: "the upstream sends a 10,000-byte header line (ResponseFieldSize is 8190)",
    proxyConfig: (upstream) =>
      `ProxyPass /api/ ${upstream}\n    ProxyPassReverse /api/ ${upstream}`,
    behaviour: "huge-header",
    requests: 3,
  },
  {
    name: "status-line-only",
    describe: "the upstream sends a status line and closes, without headers",
    proxyConfig: (upstream) =>
      `ProxyPass /api/ ${upstream}\n    ProxyPassReverse /api/ ${upstream}`,
    behaviour: "status-only",
    requests: 3,
  },
  {
    name: "worker-max-acquire",
    describe: "ProxyPass … max=1 acquire=500 (ms), a hanging upstream and three concurrent clients",
    proxyConfig: (upstream) =>
      `ProxyPass /api/ ${upstream} max=1 acquire=500\n    ProxyPassReverse /api/ ${upstream}`,
    behaviour: "hang",
    requests: 3,
    concurrency: 3,
  },
  {
    name: "balancer-max-busy",
    describe:
      "a balancer member with max=1 acquire=500, a hanging upstream, three concurrent clients",
    proxyConfig: (upstream) =>
      `<Proxy balancer://lab>\n        BalancerMember ${upstream} max=1 acquire=500\n    </Proxy>\n` +
      `    ProxyPass /api/ balancer://lab/\n    ProxyPassReverse /api/ balancer://lab/`,
    behaviour: "hang",
    requests: 3,
    concurrency: 3,
  },
];

export async function captureApacheCatalogue(out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  const lab = await up(1);
  const rows: string[] = [];
  try {
    for (const provocation of PROVOCATIONS) rows.push(await provoke(lab, provocation, out));
  } finally {
    await lab.down();
  }
  console.log(
    `fixtures written to ${out}\n\n| provocation | clients got | AH codes |\n| --- | --- | --- |`,
  );
  for (const row of rows) console.log(row);
}

async function provoke(lab: Lab, provocation: Provocation, out: string): Promise<string> {
  await lab.fix(HOST);
  const host = lab.host(HOST);
  const state = hostState(lab);
  const paths = hostPaths(lab.dir, HOST);
  const upstream = `http://${upstreamName(HOST)}:${UPSTREAM_PORT}/`;
  // The balancers need mod_proxy_balancer and its lbmethod; Debian ships both, disabled.
  for (const module of ["slotmem_shm", "proxy_balancer", "lbmethod_byrequests"]) {
    enableModule(paths.apacheDir, module);
  }
  for (const module of provocation.withoutModules ?? []) disableModule(paths.apacheDir, module);
  const site = siteConfig(host).replace(
    / {4}ProxyPass \/api\/ .*\n {4}ProxyPassReverse \/api\/ .*\n/,
    `    ${provocation.proxyConfig(upstream, host)}\n`,
  );
  writeFileSync(paths.siteConfig, site);
  await gracefulRestart(lab.dir, state);
  if (provocation.behaviour) setUpstreamBehaviour(lab.dir, HOST, provocation.behaviour);
  if (provocation.stopUpstream) await lab.break(HOST, "upstream-stopped");
  await sleep(300);
  writeFileSync(host.errorLog, "");
  const statuses = await lab.hit(HOST, provocation.requests, "/api/", {
    concurrency: provocation.concurrency ?? 1,
    timeoutMs: 30_000,
  });
  await sleep(1000);
  const errorLog = readFileSync(host.errorLog, "utf8");
  writeFileSync(join(out, `${provocation.name}.error.log`), errorLog);
  writeFileSync(
    join(out, `${provocation.name}.json`),
    `${JSON.stringify({ name: provocation.name, describe: provocation.describe, clientStatuses: statuses, site }, null, 2)}\n`,
  );
  for (const module of provocation.withoutModules ?? []) enableModule(paths.apacheDir, module);
  await lab.fix(HOST);
  const codes = [...new Set(errorLog.match(/AH\d{5}/g) ?? [])].join(", ");
  const shown = statuses.map((s) => (s === NO_RESPONSE ? "none" : String(s))).join(" ");
  return `| ${provocation.name} | ${shown} | ${codes} |`;
}

function hostState(lab: Lab): HostState {
  const state = JSON.parse(readFileSync(join(lab.dir, "lab-state.json"), "utf8")) as {
    hosts: HostState[];
  };
  const host = state.hosts.find((candidate) => candidate.name === HOST);
  if (!host) throw new Error(`no ${HOST} in the lab`);
  return host;
}

function enableModule(apacheDir: string, module: string): void {
  for (const ext of ["load", "conf"]) {
    const link = join(apacheDir, "mods-enabled", `${module}.${ext}`);
    try {
      readFileSync(join(apacheDir, "mods-available", `${module}.${ext}`));
    } catch {
      continue;
    }
    rmSync(link, { force: true });
    symlinkSync(`../mods-available/${module}.${ext}`, link);
  }
}

function disableModule(apacheDir: string, module: string): void {
  for (const ext of ["load", "conf"]) {
    rmSync(join(apacheDir, "mods-enabled", `${module}.${ext}`), { force: true });
  }
}
