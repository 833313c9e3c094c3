import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * OpenSSH known_hosts, read the way `ssh` reads it: plain names and addresses, `[addr]:port`
 * for ports other than 22, comma lists with `*`/`?` wildcards and `!` negation, hashed entries
 * (`|1|salt|hash`, HMAC-SHA1 of the name), and the markers `@revoked` (that key is refused) and
 * `@cert-authority` (host certificates are not supported here, so such lines are not trusted).
 */
export interface KnownHostEntry {
  line: number;
  marker: "revoked" | "cert-authority" | null;
  hosts: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 0 || fields[0] === "" || fields[0]?.startsWith("#")) return;
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0] === "@revoked" || fields[0] === "@cert-authority") {
      marker = fields[0] === "@revoked" ? "revoked" : "cert-authority";
      fields.shift();
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/]+=*$/.test(key)) return;
    entries.push({ line: index + 1, marker, hosts, keyType, key: Buffer.from(key, "base64") });
  });
  return entries;
}

/** The name ssh looks up: `addr` on port 22, `[addr]:port` otherwise. */
export function hostLookupName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function entryMatches(entry: KnownHostEntry, address: string, port: number): boolean {
  const name = hostLookupName(address, port);
  if (entry.hosts.startsWith("|1|")) return hashedMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(",")) {
    const negated = pattern.startsWith("!");
    if (wildcardMatches(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split("|");
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardMatches(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(name.toLowerCase());
}

/** `SHA256:…`, as `ssh-keygen -lf` and ssh's own prompts show it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The algorithm name inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString("latin1");
}

export type HostKeyVerdict =
  { ok: true } | { ok: false; code: "host-key-unknown" | "host-key-mismatch"; message: string };

/** Is `key` the known key of this host? Unknown and changed keys come with what to do. */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  target: { name: string; address: string; port: number; knownHostsPath: string },
  key: Buffer,
): HostKeyVerdict {
  const matching = entries.filter((entry) => entryMatches(entry, target.address, target.port));
  const who = `${target.name} (${hostLookupName(target.address, target.port)})`;
  const print = `${keyTypeOf(key)} ${fingerprint(key)}`;
  const revoked = matching.find((entry) => entry.marker === "revoked" && entry.key.equals(key));
  if (revoked) {
    const message = `host key of ${who} (${print}) is marked @revoked in ${target.knownHostsPath} line ${revoked.line}; refusing to connect`;
    return { ok: false, code: "host-key-mismatch", message };
  }
  const known = matching.filter((entry) => entry.marker === null);
  if (known.some((entry) => entry.key.equals(key))) return { ok: true };
  if (known.length === 0) {
    const message =
      `host key of ${who} is not in ${target.knownHostsPath}; the host offered ${print}. ` +
      `Check that fingerprint with the host's owner, then add the key ` +
      `(ssh-keyscan -p ${target.port} ${target.address} >> ${target.knownHostsPath})`;
    return { ok: false, code: "host-key-unknown", message };
  }
  const lines = known.map((entry) => entry.line).join(", ");
  const message =
    `host key of ${who} has CHANGED: it offered ${print}, which does not match ` +
    `${target.knownHostsPath} line ${lines}. The host may have been reinstalled, or someone may be ` +
    `intercepting the connection; confirm the new fingerprint before replacing the entry ` +
    `(ssh-keygen -R '${hostLookupName(target.address, target.port)}' -f ${target.knownHostsPath})`;
  return { ok: false, code: "host-key-mismatch", message };
}

const hostKeyAlgorithms: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
};

/**
 * The host key algorithms to ask for: those of the keys we know for this host, as OpenSSH does,
 * so a host with both an RSA and an Ed25519 key shows us the one we can check. Empty when none.
 */
export function knownKeyAlgorithms(
  entries: readonly KnownHostEntry[],
  address: string,
  port: number,
): string[] {
  const types = entries
    .filter((entry) => entry.marker === null && entryMatches(entry, address, port))
    .map((entry) => entry.keyType);
  return [...new Set(types.flatMap((type) => hostKeyAlgorithms[type] ?? []))];
}
