import { join } from "node:path";
import { run } from "../../src/cli/run";
import type { CliIo } from "../../src/cli/io";
import { primaryCause } from "../../src/domain/diagnosis";
import { PlaybookRunReport, type HostReport } from "../../src/domain/step-result";
import { up, type Lab } from "../lab/lab";
import { KIND_MODE_SIGNATURES, KIND_MODES, type LabMode } from "../lab/modes";

/**
 * `incident-bot run nginx-502 | haproxy-502 --json` against real nginx and HAProxy hosts of the
 * lab: one host per (kind, mode), dealt round-robin (proxy-1 nginx, proxy-2 haproxy, …), plus one
 * healthy host of each kind; one run per kind over all its hosts.
 */
const PLAYBOOKS = join(__dirname, "../../playbooks");
const KINDS = ["nginx", "haproxy"] as const;
type Kind = (typeof KINDS)[number];
const MODES: readonly LabMode[] = KIND_MODES.nginx;
const HOSTS = KINDS.length * (MODES.length + 1);
const hostOf = (kind: Kind, slot: number): string =>
  `proxy-${slot * KINDS.length + KINDS.indexOf(kind) + 1}`;
const healthyHost = (kind: Kind): string => hostOf(kind, MODES.length);
const modeHost = (kind: Kind, mode: LabMode): string => hostOf(kind, MODES.indexOf(mode));
const hostsOf = (kind: Kind): string[] =>
  Array.from({ length: MODES.length + 1 }, (_, slot) => hostOf(kind, slot));

interface RunOutcome {
  status: number;
  stdout: string;
  stderr: string;
}

async function incidentBot(lab: Lab, playbook: string, ...args: string[]): Promise<RunOutcome> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    // No cache of validated files: the test leaves nothing in the home directory of its runner.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, INCIDENT_BOT_CACHE: "off" },
  };
  const argv = [playbook, ...args, "--json", "--playbooks", PLAYBOOKS];
  const status = await run([...argv, "--inventory", lab.inventoryPath], io);
  return { status, stdout, stderr };
}

async function report(lab: Lab, playbook: string, ...args: string[]): Promise<PlaybookRunReport> {
  const { status, stdout, stderr } = await incidentBot(lab, playbook, ...args);
  if (status !== 0) throw new Error(`run exited ${status}: ${stderr}\n${stdout.slice(0, 2000)}`);
  return PlaybookRunReport.parse(JSON.parse(stdout));
}

function hostReport(run: PlaybookRunReport | undefined, host: string): HostReport {
  const found = run?.hosts.find((h) => h.host === host);
  if (!found) throw new Error(`no report for ${host}`);
  return found;
}

describe("Diagnosis of every failure on nginx and HAProxy hosts, through incident-bot run", () => {
  let lab: Lab | undefined;
  const runs: Partial<Record<Kind, PlaybookRunReport>> = {};
  const theLab = (): Lab => {
    if (!lab) throw new Error("the lab did not come up");
    return lab;
  };

  beforeAll(async () => {
    lab = await up(HOSTS, { kinds: [...KINDS] });
    const current = lab;
    const cases = KINDS.flatMap((kind) => MODES.map((mode) => ({ kind, mode })));
    await Promise.all(
      cases.map(async ({ kind, mode }) => {
        await current.break(modeHost(kind, mode), mode);
        // Clients keep coming during an incident; worker-exhaustion brings its own load.
        if (mode !== "worker-exhaustion") await current.hit(modeHost(kind, mode), 3, "/api/");
      }),
    );
    for (const kind of KINDS) await current.hit(healthyHost(kind), 3, "/api/");
    for (const kind of KINDS) {
      runs[kind] = await report(current, `${kind}-502`, "--hosts", hostsOf(kind).join(","));
    }
  }, 420_000);

  afterAll(async () => {
    await lab?.down();
  }, 60_000);

  it.each(
    KINDS.flatMap((kind) => MODES.map((mode) => ({ kind, mode, host: modeHost(kind, mode) }))),
  )("diagnoses $mode on $kind host $host as its expected cause", ({ kind, mode, host }) => {
    const result = hostReport(runs[kind], host);
    const expected = KIND_MODE_SIGNATURES[kind][mode].cause;
    // The host's report in full on a mismatch: what the proxy wrote is the first thing to read.
    if (primaryCause(result.findings) !== expected) console.error(JSON.stringify(result, null, 1));
    expect(primaryCause(result.findings)).toBe(expected);
    expect(result.findings[0]?.evidence.length).toBeGreaterThan(0);
  });

  it.each(KINDS.map((kind) => ({ kind, host: healthyHost(kind) })))(
    "diagnoses the $kind host that was never broken ($host) as healthy",
    ({ kind, host }) => {
      expect(primaryCause(hostReport(runs[kind], host).findings)).toBe("healthy");
    },
  );

  it("speaks each proxy's words in the recommendation", () => {
    expect(runs.nginx?.diagnosis.recommendation).toMatch(/nginx/);
    expect(runs.haproxy?.diagnosis.recommendation).toMatch(/HAProxy|timeout server|show stat/);
  });

  it("refuses a playbook on hosts of another kind, naming them", async () => {
    const hosts = `${healthyHost("nginx")},${healthyHost("haproxy")}`;
    await expect(incidentBot(theLab(), "nginx-502", "--hosts", hosts)).rejects.toThrow(
      `nginx-502 is for nginx hosts; ${healthyHost("haproxy")} (haproxy) is not`,
    );
  });
});
