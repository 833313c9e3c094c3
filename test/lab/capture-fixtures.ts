/**
 * Regenerates test/fixtures/apache/ from real Apache: brings up a one-host lab, provokes every break
 * mode (and a few variants of them), and copies what Apache wrote to its error and access logs.
 *
 *   npm run build && node dist/test/lab/capture-fixtures.js [--out test/fixtures/apache]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { setUpstreamBehaviour } from "./faults";
import { LOG_LEVEL, PROXY_TIMEOUT_SECONDS } from "./host-files";
import { BREAK_MODES, NO_RESPONSE, up, type BreakMode, type Lab } from "./lab";
import { runCommand, sleep, waitUntil } from "./processes";
import type { UpstreamBehaviour } from "./upstream-server";

const HOST = "proxy-1";
const REQUESTS = 3;

interface Capture {
  name: string;
  statuses: number[];
  codes: string[];
}

/** Variants of a mode: the same break, then a different shape of the same fault. */
interface Variant {
  name: string;
  mode: BreakMode;
  describe: string;
  apply: (lab: Lab) => Promise<void>;
  undo?: (lab: Lab) => Promise<void>;
}

const behaviour =
  (value: UpstreamBehaviour) =>
  async (lab: Lab): Promise<void> =>
    setUpstreamBehaviour(lab.dir, HOST, value);

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
  {
    name: "dns-failure--nxdomain",
    mode: "dns-failure",
    describe: "the name is authoritatively unknown (nsswitch hosts: files) instead of no resolver",
    apply: async (lab) => {
      const nsswitch = join(lab.host(HOST).dir, "nsswitch.conf");
      writeFileSync(nsswitch, "passwd: files\ngroup: files\nshadow: files\nhosts: files\n");
      await mustRun(lab, ["mount", "--bind", nsswitch, "/etc/nsswitch.conf"]);
      await graceful(lab);
    },
    undo: async (lab) => {
      await mustRun(lab, ["umount", "/etc/nsswitch.conf"]);
    },
  },
  {
    name: "backend-tls--ssl-info",
    mode: "backend-tls",
    describe: "the same handshake failure with LogLevel ssl:info, which names the OpenSSL error",
    apply: async (lab) => {
      const site = join(lab.host(HOST).dir, "apache2", "sites-available", "lab-proxy.conf");
      const text = readFileSync(site, "utf8");
      writeFileSync(site, text.replace(`LogLevel ${LOG_LEVEL}`, `LogLevel ${LOG_LEVEL} ssl:info`));
      await graceful(lab);
    },
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: "string", default: "test/fixtures/apache" } },
  });
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const lab = await up(1);
  const captures: Capture[] = [];
  try {
    writeFileSync(join(out, "VERSION"), await versionReport(lab));
    captures.push(await captureHealthy(lab, out));
    for (const mode of BREAK_MODES) {
      captures.push(await captureMode(lab, out, mode, mode));
    }
    for (const variant of VARIANTS) {
      captures.push(await captureMode(lab, out, variant.mode, variant.name, variant));
    }
  } finally {
    await lab.down();
  }
  console.log(`fixtures written to ${out}\n`);
  console.log("| capture | clients got | AH codes in error.log |\n| --- | --- | --- |");
  for (const capture of captures) {
    const statuses = capture.statuses.map((s) => (s === NO_RESPONSE ? "none" : String(s)));
    console.log(`| ${capture.name} | ${statuses.join(" ")} | ${capture.codes.join(", ")} |`);
  }
}

async function versionReport(lab: Lab): Promise<string> {
  const version = await runCommand("apache2", ["-v"]);
  const debian = await runCommand("dpkg-query", ["-W", "-f", "${Version}", "apache2"]);
  const modules = await lab.exec(HOST, ["apache2ctl", "-M"]);
  return [
    `# Captured by test/lab/capture-fixtures.ts on ${new Date().toISOString()}`,
    version.stdout.trim(),
    `Debian package: apache2 ${debian.stdout.trim()}`,
    `LogLevel ${LOG_LEVEL}; ProxyTimeout ${PROXY_TIMEOUT_SECONDS}`,
    "",
    modules.stdout.trim(),
    "",
  ].join("\n");
}

async function captureHealthy(lab: Lab, out: string): Promise<Capture> {
  // The error log as it stands after start-up: the notices a healthy proxy writes.
  await sleep(500);
  const startup = readFileSync(lab.host(HOST).errorLog, "utf8");
  truncateLogs(lab);
  const statuses = await lab.hit(HOST, 5);
  await sleep(200);
  writeFileSync(join(out, "healthy.error.log"), startup);
  writeFileSync(join(out, "healthy.access.log"), readFileSync(lab.host(HOST).accessLog));
  return { name: "healthy", statuses, codes: codesIn(startup) };
}

async function captureMode(
  lab: Lab,
  out: string,
  mode: BreakMode,
  name: string,
  variant?: Variant,
): Promise<Capture> {
  await lab.fix(HOST);
  // Apache logs a request after the client has its answer: let fix()'s last probe land first.
  await sleep(500);
  truncateLogs(lab);
  await lab.break(HOST, mode);
  if (variant) await variant.apply(lab);
  if (mode === "config-syntax") await captureConfigtest(lab, out, name);
  const statuses = await lab.hit(HOST, REQUESTS, "/api/", {
    concurrency: REQUESTS,
    timeoutMs: 60_000,
  });
  if (mode === "worker-exhaustion" || mode === "upstream-hang") {
    // Let the queued and background requests run into ProxyTimeout so their lines are complete.
    await sleep((PROXY_TIMEOUT_SECONDS + 1) * 1000);
  }
  await waitUntil(() => accessLines(lab) >= REQUESTS, { timeoutMs: 10_000, what: "access log" });
  await sleep(200);
  const errorLog = readFileSync(lab.host(HOST).errorLog, "utf8");
  writeFileSync(join(out, `${name}.error.log`), errorLog);
  writeFileSync(join(out, `${name}.access.log`), readFileSync(lab.host(HOST).accessLog));
  if (variant?.undo) await variant.undo(lab);
  await lab.fix(HOST);
  return { name, statuses, codes: codesIn(errorLog) };
}

/** What an operator sees: configtest fails, and Debian's apache2ctl refuses the graceful reload. */
async function captureConfigtest(lab: Lab, out: string, name: string): Promise<void> {
  const sections: string[] = [];
  for (const command of ["apache2ctl configtest", "apache2ctl graceful"]) {
    // Through a shell with 2>&1, so stdout and stderr interleave as on an operator's terminal.
    const result = await lab.exec(HOST, ["sh", "-c", `${command} 2>&1`]);
    sections.push(`$ ${command}    # exit status ${result.code}\n${result.stdout}`);
  }
  writeFileSync(join(out, `${name}.configtest.txt`), sections.join("\n"));
}

function truncateLogs(lab: Lab): void {
  // Apache appends with O_APPEND, so emptying the files in place is safe while it runs.
  writeFileSync(lab.host(HOST).errorLog, "");
  writeFileSync(lab.host(HOST).accessLog, "");
}

function accessLines(lab: Lab): number {
  return readFileSync(lab.host(HOST).accessLog, "utf8").split("\n").filter(Boolean).length;
}

function codesIn(log: string): string[] {
  return [...new Set(log.match(/AH\d{5}/g) ?? [])];
}

async function graceful(lab: Lab): Promise<void> {
  const before = readFileSync(lab.host(HOST).errorLog).length;
  await mustRun(lab, ["apache2ctl", "graceful"]);
  await waitUntil(
    () =>
      readFileSync(lab.host(HOST).errorLog)
        .subarray(before)
        .toString("utf8")
        .includes("resuming normal operations"),
    { timeoutMs: 15_000, what: "the graceful restart" },
  );
}

async function mustRun(lab: Lab, command: string[]): Promise<void> {
  const result = await lab.exec(HOST, command);
  if (result.code !== 0) {
    throw new Error(
      `${command.join(" ")} failed (${result.code}): ${result.stdout}${result.stderr}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
