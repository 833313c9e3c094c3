import { existsSync, readFileSync, statSync } from "node:fs";
import { NodeSSH } from "node-ssh";
import { knownHostKeys } from "../lab/keys";
import { tcpOpen } from "../lab/processes";
import {
  BREAK_MODES,
  MODE_SIGNATURES,
  NO_RESPONSE,
  up,
  type BreakMode,
  type Lab,
  type LabHost,
} from "../lab/lab";

/** Accepts the offered host key only if known_hosts lists exactly that key for the address. */
function knownHostsVerifier(knownHostsPath: string, address: string): (key: Buffer) => boolean {
  const known = knownHostKeys(readFileSync(knownHostsPath, "utf8"), address);
  return (key) => known.some((candidate) => candidate.equals(key));
}

async function sshTo(lab: Lab, host: LabHost, verifyAs: LabHost = host): Promise<NodeSSH> {
  return new NodeSSH().connect({
    host: host.address,
    port: 22,
    username: "root",
    privateKeyPath: lab.privateKeyPath,
    hostVerifier: knownHostsVerifier(lab.knownHostsPath, verifyAs.address),
    readyTimeout: 15_000,
  });
}

function sizeOf(path: string): number {
  return statSync(path).size;
}

function appendedSince(path: string, offset: number): string {
  return readFileSync(path).subarray(offset).toString("utf8");
}

describe("The incident lab", () => {
  let lab: Lab | undefined;
  const theLab = (): Lab => {
    if (!lab) throw new Error("the lab did not come up");
    return lab;
  };

  beforeAll(async () => {
    lab = await up(3);
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  }, 60_000);

  it("starts three proxies that each answer 200 and lists them in its inventory", async () => {
    const current = theLab();
    for (const host of current.hosts) {
      expect(await current.hit(host.name, 2)).toEqual([200, 200]);
    }
    const inventory = readFileSync(current.inventoryPath, "utf8");
    expect(inventory).toContain(`privateKey: ${current.privateKeyPath}`);
    expect(inventory).toContain(`knownHosts: ${current.knownHostsPath}`);
    for (const host of current.hosts) expect(inventory).toContain(`address: ${host.address}`);
    expect(inventory).toMatch(/lab:\n\s+- proxy-1\n\s+- proxy-2\n\s+- proxy-3/);
  });

  it("refuses an SSH connection whose host key is not the one known_hosts holds for the address", async () => {
    const current = theLab();
    // proxy-2 answers with its own key, but the verifier expects the one known for proxy-1.
    await expect(sshTo(current, current.host("proxy-2"), current.host("proxy-1"))).rejects.toThrow(
      "Host denied (verification failed)",
    );
  });

  describe("when proxy-2's upstream is stopped", () => {
    let errorLogOffset = 0;

    beforeAll(async () => {
      const current = theLab();
      errorLogOffset = sizeOf(current.host("proxy-2").errorLog);
      await current.break("proxy-2", "upstream-stopped");
    }, 60_000);

    afterAll(async () => {
      await lab?.fix("proxy-2");
    }, 60_000);

    it("gives clients of proxy-2 the refused-connection status while proxy-1 still answers 200", async () => {
      const current = theLab();
      const refused = MODE_SIGNATURES["upstream-stopped"].clientStatus;
      expect(await current.hit("proxy-2", 4)).toEqual([refused, refused, refused, refused]);
      expect(await current.hit("proxy-1", 4)).toEqual([200, 200, 200, 200]);
    });

    it("shows Apache's connection-refused errors in proxy-2's logs read over SSH", async () => {
      const current = theLab();
      const skipLines = readFileSync(current.host("proxy-2").errorLog)
        .subarray(0, errorLogOffset)
        .toString("utf8")
        .split("\n").length;
      const ssh = await sshTo(current, current.host("proxy-2"));
      try {
        const errorLog = await ssh.execCommand(`tail -n +${skipLines} /var/log/apache2/error.log`);
        expect(errorLog.code).toBe(0);
        for (const code of MODE_SIGNATURES["upstream-stopped"].errorLogCodes) {
          expect(errorLog.stdout).toContain(code);
        }
        expect(errorLog.stdout).toContain("(111)Connection refused");
        expect(errorLog.stdout).toContain("upstream.proxy-2.lab:9000");
        const accessLog = await ssh.execCommand("tail -n 20 /var/log/apache2/access.log");
        expect(accessLog.stdout).toMatch(
          /"GET \/api\/ HTTP\/1\.1" 503 \d+ "-" "incident-lab\/1" \d+/,
        );
      } finally {
        ssh.dispose();
      }
    });

    it("lets an operator's usual commands run over SSH inside the host", async () => {
      const current = theLab();
      const ssh = await sshTo(current, current.host("proxy-2"));
      try {
        const configtest = await ssh.execCommand("apache2ctl configtest");
        expect(configtest.stderr).toContain("Syntax OK");
        const hosts = await ssh.execCommand("getent hosts upstream.proxy-2.lab");
        expect(hosts.stdout).toContain(current.host("proxy-2").address);
        const probe = await ssh.execCommand("nc -z -w 2 upstream.proxy-2.lab 9000");
        expect(probe.code).not.toBe(0);
        const modules = await ssh.execCommand("apache2ctl -M");
        expect(modules.stdout).toContain("proxy_http_module");
      } finally {
        ssh.dispose();
      }
    });
  });

  it("answers 200 through proxy-2 again once it is fixed", async () => {
    expect(await theLab().hit("proxy-2", 3)).toEqual([200, 200, 200]);
  });

  const otherModes = BREAK_MODES.filter((mode) => mode !== "upstream-stopped");

  describe.each(otherModes)("when %s is injected into proxy-3", (mode: BreakMode) => {
    const signature = MODE_SIGNATURES[mode];
    let errorLogOffset = 0;

    beforeAll(async () => {
      const current = theLab();
      errorLogOffset = sizeOf(current.host("proxy-3").errorLog);
      await current.break("proxy-3", mode);
    }, 90_000);

    afterAll(async () => {
      await lab?.fix("proxy-3");
    }, 90_000);

    it("gives clients the status real Apache answers and logs its AH codes", async () => {
      const current = theLab();
      // Generous: queued requests of worker-exhaustion wait for several ProxyTimeouts.
      const statuses = await current.hit("proxy-3", 3, "/api/", {
        concurrency: 3,
        timeoutMs: 45_000,
      });
      expect(statuses).not.toContain(NO_RESPONSE);
      expect(statuses).toEqual([
        signature.clientStatus,
        signature.clientStatus,
        signature.clientStatus,
      ]);
      const logged = appendedSince(current.host("proxy-3").errorLog, errorLogOffset);
      for (const code of signature.errorLogCodes) expect(logged).toContain(code);
      for (const text of signature.errorLogText) expect(logged).toContain(text);
    }, 90_000);

    it(`${signature.configtestFails ? "fails" : "passes"} apache2ctl configtest`, async () => {
      const configtest = await theLab().exec("proxy-3", ["apache2ctl", "configtest"]);
      if (signature.configtestFails) {
        expect(configtest.code).not.toBe(0);
        expect(configtest.stderr + configtest.stdout).toContain("AH00526: Syntax error");
      } else {
        expect(configtest.code).toBe(0);
      }
    });

    it("answers 200 again after fix", async () => {
      const current = theLab();
      await current.fix("proxy-3");
      expect(await current.hit("proxy-3", 3)).toEqual([200, 200, 200]);
    }, 90_000);
  });

  it("runs beside another lab and on down stops all it started, twice without harm", async () => {
    const second = await up(1);
    const [host] = second.hosts;
    if (!host) throw new Error("the second lab has no host");
    expect(host.address).not.toBe(theLab().host("proxy-1").address);
    expect(await second.hit(host.name, 1)).toEqual([200]);
    await second.down();
    await second.down();
    for (const port of [22, 80, 9000]) expect(await tcpOpen(host.address, port)).toBe(false);
    expect(existsSync(second.dir)).toBe(false);
    expect(await theLab().hit("proxy-1", 1)).toEqual([200]);
  }, 120_000);
});
