import { writeFileSync } from "node:fs";
import {
  EXHAUSTED_WORKERS,
  HEALTHY_WORKERS,
  UPSTREAM_PORT,
  etcHosts,
  hostPaths,
  mpmConfig,
  siteConfig,
} from "./host-files";
import {
  apachePid,
  gracefulRestart,
  readFrom,
  sizeOf,
  startUpstream,
  stopStartApache,
} from "./host-runtime";
import type { BreakMode } from "./modes";
import { isLabProcess, tcpOpen, waitUntil } from "./processes";
import type { HostState } from "./state";
import { sendRequests } from "./traffic";
import { setUpstreamBehaviour } from "./upstream-behaviour";

/** Modes that change what the running Apache loaded, so undoing them needs a reload too. */
const RELOADED_MODES: ReadonlySet<BreakMode> = new Set([
  "dns-failure",
  "backend-tls",
  "config-syntax",
  "worker-exhaustion",
]);

export { setUpstreamBehaviour } from "./upstream-behaviour";

/**
 * Breaks one host the way the mode says. Files are edited in place and Apache is reloaded with
 * apache2ctl graceful where a real operator (or logrotate's nightly reload) would have done so.
 * `load` stops the background traffic of worker-exhaustion.
 */
export async function injectFault(
  labDir: string,
  host: HostState,
  mode: BreakMode,
  load: AbortSignal,
): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  switch (mode) {
    // The upstream-only modes are the lab's own (upstream-behaviour.ts injectUpstreamFault).
    case "dns-failure":
      writeFileSync(paths.etcHosts, etcHosts(host, false));
      return gracefulRestart(labDir, host);
    case "backend-tls":
      writeFileSync(paths.siteConfig, siteConfig(host, "backend-tls"));
      return gracefulRestart(labDir, host);
    case "config-syntax":
      // No reload: the running Apache keeps its old configuration, as in real life.
      writeFileSync(paths.siteConfig, siteConfig(host, "config-syntax"));
      return;
    case "worker-exhaustion":
      return exhaustWorkers(labDir, host, load);
  }
}

/**
 * Few workers, a hanging upstream, and more concurrent clients than workers: Apache's parent notices
 * it has no idle worker left and logs it. The traffic goes on in the background until `load` aborts
 * or the requests time out (aborting frees no worker: Apache only notices at ProxyTimeout).
 */
async function exhaustWorkers(labDir: string, host: HostState, load: AbortSignal): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  writeFileSync(paths.mpmConfig, mpmConfig(EXHAUSTED_WORKERS));
  setUpstreamBehaviour(labDir, host.name, "hang");
  // A new parent process: Apache reports AH00484 once per parent, not once per graceful restart.
  await stopStartApache(labDir, host);
  const offset = sizeOf(paths.errorLog);
  // Two more clients than workers: every worker hangs on the upstream and two wait in the queue.
  const clients = EXHAUSTED_WORKERS.maxRequestWorkers + 2;
  sendRequests(host.address, clients, "/api/", {
    concurrency: clients,
    timeoutMs: 60_000,
    signal: load,
  }).catch(() => undefined);
  await waitUntil(() => readFrom(paths.errorLog, offset).includes("MaxRequestWorkers"), {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: `${host.name}'s Apache to report that it reached MaxRequestWorkers`,
  });
}

/** Healthy configuration, /etc/hosts and upstream again; reloads if needed; waits for a 200. */
export async function restoreHost(
  labDir: string,
  host: HostState,
  previous: BreakMode | null,
): Promise<void> {
  const paths = hostPaths(labDir, host.name);
  writeFileSync(paths.siteConfig, siteConfig(host));
  writeFileSync(paths.mpmConfig, mpmConfig(HEALTHY_WORKERS));
  writeFileSync(paths.etcHosts, etcHosts(host));
  setUpstreamBehaviour(labDir, host.name, "ok");
  if (!isLabProcess(host.upstreamPid, labDir)) {
    host.upstreamPid = startUpstream(labDir, host);
    await waitUntil(() => tcpOpen(host.address, UPSTREAM_PORT), {
      timeoutMs: 10_000,
      what: `${host.name}'s upstream to listen again`,
    });
  }
  const apacheRunning = isLabProcess(apachePid(labDir, host.name), labDir);
  if (!apacheRunning || previous === null || RELOADED_MODES.has(previous)) {
    // graceful starts Apache if it is not running at all.
    await gracefulRestart(labDir, host);
  }
  await waitUntil(
    async () => (await sendRequests(host.address, 1, "/api/", { timeoutMs: 5000 }))[0] === 200,
    { timeoutMs: 30_000, intervalMs: 100, what: `a 200 through ${host.name}'s proxy again` },
  );
}
