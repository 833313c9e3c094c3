import { readFileSync } from "node:fs";
import { Client } from "ssh2";
import { parseKnownHosts, verifyHostKey } from "../../src/adapters/ssh/known-hosts";

/**
 * The floor of the triage bench: a plain ssh2 client, run as its own process, that opens every
 * host's connection at once (host key checked against known_hosts, as the bot does) and runs ONE
 * exec per host, the triage commands joined into one script. No framing, caps, timeouts per
 * command, parsing or diagnosis: what is left is the least any ssh2-based client pays.
 * `node dist/bench/triage/ssh2-floor.js SPEC.json`; prints the bytes read per host.
 */
export interface FloorSpec {
  privateKeyPath: string;
  knownHostsPath: string;
  hosts: { name: string; address: string; port: number; user: string; command: string }[];
}

function runOne(spec: FloorSpec, host: FloorSpec["hosts"][number], key: Buffer): Promise<number> {
  const entries = parseKnownHosts(readFileSync(spec.knownHostsPath, "utf8"));
  return new Promise((resolve, reject) => {
    const client = new Client();
    let bytes = 0;
    client
      .on("ready", () => {
        client.exec(host.command, (error, stream) => {
          if (error) return reject(error);
          stream.on("data", (chunk: Buffer) => (bytes += chunk.length));
          stream.stderr.on("data", (chunk: Buffer) => (bytes += chunk.length));
          stream.on("close", () => {
            client.end();
            resolve(bytes);
          });
        });
      })
      .on("error", reject)
      .connect({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey: key,
        algorithms: { kex: ["curve25519-sha256", "curve25519-sha256@libssh.org"] },
        hostVerifier: (hostKey: Buffer) =>
          verifyHostKey(entries, { ...host, knownHostsPath: spec.knownHostsPath }, hostKey).ok,
      });
  });
}

async function main(path: string): Promise<void> {
  const spec = JSON.parse(readFileSync(path, "utf8")) as FloorSpec;
  const key = readFileSync(spec.privateKeyPath);
  const bytes = await Promise.all(spec.hosts.map((host) => runOne(spec, host, key)));
  process.stdout.write(`${bytes.join(" ")}\n`);
}

if (require.main === module) {
  main(process.argv[2] ?? "").catch((error: unknown) => {
    process.stderr.write(`ssh2 floor: ${String(error)}\n`);
    process.exitCode = 1;
  });
}
