import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { captureApacheCatalogue } from "./capture-apache-catalogue";
import { captureKinds } from "./capture-kinds";
import {
  KIND_MODES,
  LabError,
  NO_RESPONSE,
  PROXY_KINDS,
  attach,
  isLabMode,
  isProxyKind,
  up,
  type Lab,
  type ProxyKind,
} from "./lab";

const USAGE = `usage: npm run lab -- <command> [options]

  up N [--dir DIR] [--kinds K,K… | --mixed]
                                        start N proxy hosts proxy-1..proxy-N (1-60); their
                                          kinds (${PROXY_KINDS.join(", ")}) dealt round-robin
                                          from --kinds (default apache); --mixed = all three
  down [--keep]                         stop everything the lab started; --keep keeps its dir
  status                                processes per host and one live request through each proxy
  break HOST MODE                       inject a failure; MODE is one of:
                                          ${KIND_MODES.nginx.join(", ")}
                                          (upstream-unhealthy: nginx and HAProxy hosts only)
  fix HOST                              restore the healthy state and wait for a 200
  capture [--kinds K,K…] [--out DIR]     regenerate the nginx/HAProxy fixtures (default kinds
                                          nginx,haproxy; DIR test/fixtures/captures); starts
                                          its own lab, never touches the one in --dir
  capture-apache-catalogue [--out DIR]  provoke the mod_proxy messages the modes do not (DIR
                                          default test/fixtures/apache/catalogue)
  hit HOST [N] [--path P] [--concurrency C] [--timeout MS]
                                        send N (default 5) requests through the proxy

  --dir DIR   the lab dir with its state file (default ./.lab)`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: "string", default: ".lab" },
      keep: { type: "boolean", default: false },
      kinds: { type: "string" },
      mixed: { type: "boolean", default: false },
      out: { type: "string" },
      path: { type: "string", default: "/api/" },
      concurrency: { type: "string", default: "1" },
      timeout: { type: "string", default: "10000" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const dir = resolve(values.dir);
  switch (command) {
    case "up":
      return cmdUp(count(args[0], "N"), dir, kindsOf(values.kinds, values.mixed));
    case "down":
      return cmdDown(dir, values.keep);
    case "capture":
      await captureKinds({
        out: resolve(values.out ?? "test/fixtures/captures"),
        kinds: values.kinds === undefined ? ["nginx", "haproxy"] : kindsOf(values.kinds, false),
      });
      return 0;
    case "capture-apache-catalogue":
      await captureApacheCatalogue(resolve(values.out ?? "test/fixtures/apache/catalogue"));
      return 0;
    case "status":
      return cmdStatus(attach(dir));
    case "break": {
      const [host, mode] = args;
      if (!host || !mode) throw new UsageError("break needs HOST and MODE");
      if (!isLabMode(mode)) throw new UsageError(`unknown mode "${mode}"`);
      return withLab(dir, async (lab) => {
        await lab.break(host, mode);
        console.log(`${host}: broken (${mode})`);
      });
    }
    case "fix": {
      const [host] = args;
      if (!host) throw new UsageError("fix needs HOST");
      return withLab(dir, async (lab) => {
        await lab.fix(host);
        console.log(`${host}: fixed, answering 200 again`);
      });
    }
    case "hit": {
      const [host, n] = args;
      if (!host) throw new UsageError("hit needs HOST");
      return withLab(dir, async (lab) => {
        const statuses = await lab.hit(host, n === undefined ? 5 : count(n, "N"), values.path, {
          concurrency: count(values.concurrency, "--concurrency"),
          timeoutMs: count(values.timeout, "--timeout"),
        });
        console.log(`${host}: ${statuses.map(label).join(" ")}`);
      });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function kindsOf(list: string | undefined, mixed: boolean): ProxyKind[] {
  if (mixed && list !== undefined) throw new UsageError("give --kinds or --mixed, not both");
  if (mixed) return [...PROXY_KINDS];
  if (list === undefined) return ["apache"];
  return list.split(",").map((kind) => {
    if (!isProxyKind(kind)) throw new UsageError(`unknown kind "${kind}"`);
    return kind;
  });
}

async function cmdUp(n: number, dir: string, kinds: ProxyKind[]): Promise<number> {
  const started = Date.now();
  const lab = await up(n, { dir, detached: true, kinds });
  const first = lab.hosts[0];
  const last = lab.hosts[lab.hosts.length - 1];
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `lab up: ${n} hosts in ${seconds} s, ${first?.address} … ${last?.address}, dir ${dir}`,
  );
  if (kinds.some((kind) => kind !== "apache")) {
    console.log(`kinds:     ${lab.hosts.map((host) => `${host.name} ${host.kind}`).join(", ")}`);
  }
  console.log(`inventory: ${lab.inventoryPath}`);
  console.log(`try:       ${lab.sshCommand("proxy-1")}`);
  console.log(
    `then:      npm run lab -- break proxy-1 upstream-stopped; npm run lab -- hit proxy-1`,
  );
  return 0;
}

async function cmdDown(dir: string, keepDir: boolean): Promise<number> {
  let lab: Lab;
  try {
    lab = attach(dir);
  } catch (error) {
    if (error instanceof LabError && error.code === "lab-down") {
      console.log(`no lab is up in ${dir}`);
      return 0;
    }
    throw error;
  }
  await lab.down({ keepDir });
  console.log(`lab down${keepDir ? `; its files stay in ${dir}` : ""}`);
  return 0;
}

async function cmdStatus(lab: Lab): Promise<number> {
  const probes = await Promise.all(
    lab.hosts.map((host) => lab.hit(host.name, 1, "/api/", { timeoutMs: 5000 })),
  );
  const rows = lab
    .status()
    .map((host, i) => [
      host.name,
      host.address,
      host.kind,
      upDown(host.sshd),
      upDown(host.proxy),
      upDown(host.upstream),
      host.broken ?? "-",
      label(probes[i]?.[0] ?? NO_RESPONSE),
    ]);
  const header = ["HOST", "ADDRESS", "KIND", "SSHD", "PROXY", "UPSTREAM", "BROKEN", "GET /api/"];
  const widths = header.map((title, col) =>
    Math.max(title.length, ...rows.map((r) => r[col]?.length ?? 0)),
  );
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join("  ")
        .trimEnd(),
    );
  }
  console.log(`dir ${lab.dir}; inventory ${lab.inventoryPath}`);
  return 0;
}

async function withLab(dir: string, action: (lab: Lab) => Promise<void>): Promise<number> {
  const lab = attach(dir);
  try {
    await action(lab);
  } finally {
    lab.close();
  }
  return 0;
}

function count(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw new UsageError(`${what} must be a positive whole number`);
  }
  return value;
}

function label(status: number): string {
  return status === NO_RESPONSE ? "no-response" : String(status);
}

function upDown(running: boolean): string {
  return running ? "up" : "DOWN";
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof LabError) {
      console.error(`lab: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
