import { Signal, signal } from "../../diagnosis/signal";

/**
 * `show stat` on HAProxy's stats socket (expected command: `echo 'show stat' | nc -U
 * /run/haproxy/admin.sock`, or socat): CSV with a `# pxname,svname,…` header, one row per
 * frontend, server and backend. The columns used: pxname, svname, status (UP, DOWN, MAINT,
 * `no check`…), scur and slim (current and maximum sessions), qcur (queued), check_desc.
 */
export interface HaproxyServerState {
  backend: string;
  server: string;
  status: string;
  sessions: number | null;
  limit: number | null;
  queued: number | null;
  checkDescription: string;
}

export interface HaproxyStat {
  /** null: no CSV in the output (socket missing, nc missing). */
  servers: HaproxyServerState[] | null;
  /** Backends whose own row says DOWN (no usable server). */
  backendsDown: string[];
}

const number = (text: string | undefined): number | null =>
  text === undefined || text === "" ? null : Number(text);

export function parseHaproxyStat(output: string): HaproxyStat {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const headerLine = lines.find((l) => l.startsWith("# pxname,"));
  if (!headerLine) return { servers: null, backendsDown: [] };
  const header = headerLine.slice(2).split(",");
  const at = (name: string): number => header.indexOf(name);
  const servers: HaproxyServerState[] = [];
  const backendsDown: string[] = [];
  for (const line of lines) {
    if (line === headerLine || !line.includes(",")) continue;
    const cells = line.split(",");
    const backend = cells[at("pxname")] ?? "";
    const server = cells[at("svname")] ?? "";
    const status = cells[at("status")] ?? "";
    if (server === "FRONTEND") continue;
    if (server === "BACKEND") {
      if (status === "DOWN") backendsDown.push(backend);
      continue;
    }
    servers.push({
      backend,
      server,
      status,
      sessions: number(cells[at("scur")]),
      limit: number(cells[at("slim")]),
      queued: number(cells[at("qcur")]),
      checkDescription: cells[at("check_desc")] ?? "",
    });
  }
  return { servers, backendsDown };
}

/** A stat row as evidence: what a responder would read off it. */
function describe(s: HaproxyServerState): string {
  const sessions = s.limit ? ` ${s.sessions ?? "?"}/${s.limit} sessions` : "";
  const queue = s.queued ? `, ${s.queued} queued` : "";
  const check = s.checkDescription ? ` (${s.checkDescription})` : "";
  return `show stat: ${s.backend}/${s.server} ${s.status}${check}${sessions}${queue}`;
}

export function haproxyStatSignals(stat: HaproxyStat, stepId: string): Signal[] {
  if (!stat.servers) return [];
  const signals: Signal[] = [];
  for (const backend of stat.backendsDown) {
    const down = stat.servers.filter((s) => s.backend === backend);
    const evidence = down.length
      ? describe(down[0] as HaproxyServerState)
      : `show stat: backend ${backend} DOWN`;
    signals.push(signal("upstream_unhealthy", 0.85, `stat:${stepId}`, evidence));
  }
  for (const s of stat.servers) {
    const full = s.limit !== null && s.limit > 0 && (s.sessions ?? 0) >= s.limit;
    const queued = (s.queued ?? 0) > 0;
    if (!full && !queued) continue;
    // At its maxconn with requests waiting: HAProxy's own counters say the pool is exhausted, as
    // directly as the sQ lines those requests will log when their queue timeout ends them.
    const weight = full && queued ? 0.95 : full ? 0.7 : 0.5;
    signals.push(signal("proxy_exhausted", weight, `stat:${stepId}`, describe(s)));
  }
  return signals;
}
