import { primaryCause } from "../../src/domain/diagnosis";
import type { PlaybookRunReport } from "../../src/domain/step-result";
import { up, type Lab } from "../lab/lab";
import { hostReport, reportOnLab, runOnLab } from "../support/lab-cli";
import { KIND_MODE_SIGNATURES, KIND_MODES, type LabMode } from "../lab/modes";

/**
 * `incident-bot run nginx-502 | haproxy-502 --json` against real nginx and HAProxy hosts of the
 * lab: one host per (kind, mode), dealt round-robin (proxy-1 nginx, proxy-2 haproxy, …), plus one
 * healthy host of each kind; one run per kind over all its hosts.
 */
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
      runs[kind] = await reportOnLab(current, `${kind}-502`, "--hosts", hostsOf(kind).join(","));
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
    await expect(runOnLab(theLab(), "nginx-502", "--hosts", hosts)).rejects.toThrow(
      `nginx-502 is for nginx hosts; ${healthyHost("haproxy")} (haproxy) is not`,
    );
  });
});
