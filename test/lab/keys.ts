import { readFileSync } from "node:fs";
import { LabError } from "./errors";
import { runCommand } from "./processes";

/** Writes an ed25519 key pair without a passphrase (path and path.pub) with ssh-keygen. */
export async function generateKey(path: string, comment: string): Promise<string> {
  const result = await runCommand("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    comment,
    "-f",
    path,
  ]);
  if (result.code !== 0) {
    throw new LabError("command-failed", `ssh-keygen for ${path} failed: ${result.stderr.trim()}`);
  }
  return publicKeyOf(path);
}

/** "ssh-ed25519 AAAA…" without the comment. */
export function publicKeyOf(privateKeyPath: string): string {
  const [type, blob] = readFileSync(`${privateKeyPath}.pub`, "utf8").trim().split(/\s+/);
  if (!type || !blob) throw new LabError("command-failed", `${privateKeyPath}.pub is not a key`);
  return `${type} ${blob}`;
}

export interface KnownHost {
  address: string;
  publicKey: string;
}

/** OpenSSH known_hosts: one line per host address (port 22, so no [brackets]). */
export function knownHostsFile(hosts: readonly KnownHost[]): string {
  return hosts.map((host) => `${host.address} ${host.publicKey}\n`).join("");
}

/**
 * The raw key blobs known_hosts holds for an address (plain entries; hashed `|1|` entries are not
 * written by the lab). ssh2's hostVerifier is handed exactly such a blob, so a test compares bytes.
 */
export function knownHostKeys(knownHosts: string, address: string): Buffer[] {
  const keys: Buffer[] = [];
  for (const line of knownHosts.split("\n")) {
    const [patterns, , blob] = line.trim().split(/\s+/);
    if (!patterns || !blob || patterns.startsWith("#")) continue;
    if (patterns.split(",").includes(address)) keys.push(Buffer.from(blob, "base64"));
  }
  return keys;
}
