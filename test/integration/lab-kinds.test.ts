import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { NodeSSH } from "node-ssh";
import { parse } from "yaml";
import { haproxySocketCommand } from "../lab/haproxy-host";
import { hostPaths } from "../lab/host-files";
import { knownHostKeys } from "../lab/keys";
import {
  KIND_MODES,
  KIND_MODE_SIGNATURES,
  PROXY_KINDS,
  up,
  type Lab,
  type LabHost,
  type LabMode,
} from "../lab/lab";
import { isRunning, mountNamespaceOf, tcpOpen } from "../lab/processes";

/** One mixed lab for the whole file: proxy-1 apache, proxy-2 nginx, proxy-3 haproxy. */
describe("The incident lab's nginx and HAProxy hosts", () => {
  let lab: Lab | undefined;
  const theLab = (): Lab => {
    if (!lab) throw new Error("the lab did not come up");
    return lab;
  };

  beforeAll(async () => {
    lab = await up(3, { kinds: PROXY_KINDS });
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  }, 60_000);

  it("deals the kinds round-robin, answers 200 on each and names the kind in the inventory", async () => {
    const current = theLab();
    expect(current.hosts.map((host) => host.kind)).toEqual(["apache", "nginx", "haproxy"]);
    for (const host of current.hosts) expect(await current.hit(host.name, 2)).toEqual([200, 200]);
    const inventory = parse(readFileSync(current.inventoryPath, "utf8")) as {
      hosts: Record<string, { kind?: string; vars: Record<string, string> }>;
    };
    expect(inventory.hosts["proxy-1"]?.kind).toBeUndefined();
    expect(inventory.hosts["proxy-2"]?.kind).toBe("nginx");
    expect(inventory.hosts["proxy-2"]?.vars.error_log).toBe("/var/log/nginx/error.log");
    expect(inventory.hosts["proxy-3"]?.kind).toBe("haproxy");
    expect(inventory.hosts["proxy-3"]?.vars.log).toBe("/var/log/haproxy.log");
    expect(current.status().map((host) => host.proxy)).toEqual([true, true, true]);
  });

  it("runs Debian's layout and commands over SSH on the nginx and HAProxy hosts", async () => {
    const current = theLab();
    const nginx = await sshTo(current, current.host("proxy-2"));
    try {
      const test = await nginx.execCommand("nginx -t");
      expect(test.stderr).toContain(
        "nginx: configuration file /etc/nginx/nginx.conf test is successful",
      );
      const log = await nginx.execCommand("tail -n 5 /var/log/nginx/access.log");
      expect(log.stdout).toMatch(/"GET \/api\/ HTTP\/1\.1" 200 \d+ .* us=200 ua=/);
    } finally {
      nginx.dispose();
    }
    const haproxy = await sshTo(current, current.host("proxy-3"));
    try {
      const check = await haproxy.execCommand("haproxy -c -f /etc/haproxy/haproxy.cfg");
      expect(check.stdout + check.stderr).toContain("Configuration file is valid");
      const log = await haproxy.execCommand("tail -n 5 /var/log/haproxy.log");
      expect(log.stdout).toMatch(
        /proxy-3 haproxy\[\d+\]: .* lab_proxy lab_upstream\/upstream .* 200 /,
      );
    } finally {
      haproxy.dispose();
    }
    const stats = await haproxySocketCommand(
      hostPaths(current.dir, "proxy-3").haproxyAdminSocket,
      "show stat",
    );
    expect(stats).toMatch(/^# pxname,svname,qcur,/);
    expect(stats).toContain("lab_upstream,upstream,");
  });

  describe.each([
    ["proxy-2", "nginx"],
    ["proxy-3", "haproxy"],
  ] as const)("%s (%s)", (name, kind) => {
    describe.each(KIND_MODES[kind].map((mode) => [mode]))("broken by %s", (mode: LabMode) => {
      const signature = KIND_MODE_SIGNATURES[kind][mode];
      const offsets = { log: 0, master: 0 };

      beforeAll(async () => {
        const current = theLab();
        offsets.log = sizeOf(current.host(name).errorLog);
        offsets.master = sizeOf(hostPaths(current.dir, name).haproxyMasterLog);
        await current.break(name, mode);
      }, 90_000);

      it(`answers ${signature.clientStatus} and logs what real ${kind} logs`, async () => {
        const current = theLab();
        const statuses = await current.hit(name, 3, "/api/", { concurrency: 3, timeoutMs: 45_000 });
        if (mode === "worker-exhaustion") {
          // The limit turns some clients away; the others wait for the hanging upstream.
          expect(statuses).toContain(signature.clientStatus);
        } else {
          expect(statuses).toEqual([
            signature.clientStatus,
            signature.clientStatus,
            signature.clientStatus,
          ]);
        }
        const host = current.host(name);
        await waitForText(host.errorLog, offsets.log, signature.logText);
        const masterLog = hostPaths(current.dir, name).haproxyMasterLog;
        await waitForText(masterLog, offsets.master, signature.masterLogText ?? []);
      }, 90_000);

      it(`${signature.configtestFails ? "fails" : "passes"} the config test`, async () => {
        const command =
          kind === "nginx" ? ["nginx", "-t"] : ["haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg"];
        const result = await theLab().exec(name, command);
        expect(result.code !== 0).toBe(signature.configtestFails);
      });

      it("answers 200 again after fix", async () => {
        const current = theLab();
        await current.fix(name);
        expect(await current.hit(name, 3)).toEqual([200, 200, 200]);
      }, 90_000);
    });
  });

  it("refuses a mode the kind has no meaning for", async () => {
    await expect(theLab().break("proxy-1", "upstream-unhealthy")).rejects.toThrow(
      'a host of kind apache has no break mode "upstream-unhealthy"',
    );
  });

  it("on down stops every master, worker and helper of every kind and frees their ports", async () => {
    const current = theLab();
    const namespaces = new Set(
      current
        .status()
        .map((host) => host.name)
        .map((name) => hostNamespace(current, name)),
    );
    // An nginx master restarted by hand, outside what the lab recorded, is swept too.
    await current.exec("proxy-2", ["sh", "-c", "nginx -s stop; sleep 0.5; nginx"]);
    const pids = processesIn(namespaces);
    expect(pids.length).toBeGreaterThan(6);
    const addresses = current.hosts.map((host) => host.address);
    await current.down();
    lab = undefined;
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(processesIn(namespaces)).toEqual([]);
    for (const address of addresses) {
      for (const port of [22, 80, 9000]) expect(await tcpOpen(address, port)).toBe(false);
    }
  }, 60_000);
});

function hostNamespace(lab: Lab, name: string): string {
  const pid = Number(readFileSync(join(hostPaths(lab.dir, name).sshdDir, "sshd.pid"), "utf8"));
  const namespace = mountNamespaceOf(pid);
  if (namespace === null) throw new Error(`${name} has no namespace`);
  return namespace;
}

function processesIn(namespaces: ReadonlySet<string>): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => isRunning(pid) && namespaces.has(mountNamespaceOf(pid) ?? ""));
}

/** Accepts the offered host key only if known_hosts lists exactly that key for the address. */
async function sshTo(lab: Lab, host: LabHost): Promise<NodeSSH> {
  const known = knownHostKeys(readFileSync(lab.knownHostsPath, "utf8"), host.address);
  return new NodeSSH().connect({
    host: host.address,
    port: 22,
    username: "root",
    privateKeyPath: lab.privateKeyPath,
    hostVerifier: (key: Buffer) => known.some((candidate) => candidate.equals(key)),
    readyTimeout: 15_000,
  });
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The proxy logs a request after answering it: wait for the lines rather than race them. */
async function waitForText(path: string, offset: number, texts: readonly string[]): Promise<void> {
  if (texts.length === 0) return;
  const deadline = Date.now() + 15_000;
  let logged = "";
  for (;;) {
    logged = readFileSync(path).subarray(offset).toString("utf8");
    if (texts.every((text) => logged.includes(text)) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const text of texts) expect(logged).toContain(text);
}
