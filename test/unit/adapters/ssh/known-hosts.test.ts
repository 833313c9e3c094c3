import { createHmac, randomBytes } from "node:crypto";
import {
  entryMatches,
  knownKeyAlgorithms,
  parseKnownHosts,
  verifyHostKey,
} from "../../../../src/adapters/ssh/known-hosts";

function blob(type: string, seed: string): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from(seed.padEnd(32, "x"))]);
}
const edKey = blob("ssh-ed25519", "a");
const otherKey = blob("ssh-ed25519", "b");
const rsaKey = blob("ssh-rsa", "c");
const line = (hosts: string, key: Buffer, type = "ssh-ed25519") =>
  `${hosts} ${type} ${key.toString("base64")} c`;

function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac("sha1", salt).update(name).digest();
  return `|1|${salt.toString("base64")}|${hash.toString("base64")}`;
}

const target = (address: string, port = 22) => ({
  name: "proxy-1",
  address,
  port,
  knownHostsPath: "kh",
});

describe("known_hosts", () => {
  it("matches plain names, [addr]:port, comma lists, wildcards and negation", () => {
    const entries = parseKnownHosts(
      [
        "# comment",
        "",
        line("127.0.0.11", edKey),
        line("[127.0.0.12]:2222,proxy-2", edKey),
        line("127.0.1.*,!127.0.1.9", edKey),
      ].join("\n"),
    );
    const [plain, ported, wild] = entries;
    expect(entries).toHaveLength(3);
    expect(plain && entryMatches(plain, "127.0.0.11", 22)).toBe(true);
    expect(plain && entryMatches(plain, "127.0.0.11", 2222)).toBe(false);
    expect(ported && entryMatches(ported, "127.0.0.12", 2222)).toBe(true);
    expect(ported && entryMatches(ported, "127.0.0.12", 22)).toBe(false);
    expect(wild && entryMatches(wild, "127.0.1.5", 22)).toBe(true);
    expect(wild && entryMatches(wild, "127.0.1.9", 22)).toBe(false);
  });

  it("matches hashed entries for the port-qualified name", () => {
    const [entry] = parseKnownHosts(line(hashed("[127.0.0.5]:2200"), edKey));
    expect(entry && entryMatches(entry, "127.0.0.5", 2200)).toBe(true);
    expect(entry && entryMatches(entry, "127.0.0.6", 2200)).toBe(false);
  });

  it("accepts the known key, calls a missing entry unknown and a different key a change", () => {
    const entries = parseKnownHosts(line("127.0.0.11", edKey));
    expect(verifyHostKey(entries, target("127.0.0.11"), edKey)).toEqual({ ok: true });
    const unknown = verifyHostKey(entries, target("127.0.0.99"), edKey);
    expect(unknown).toMatchObject({ ok: false, code: "host-key-unknown" });
    expect(!unknown.ok && unknown.message).toMatch(
      /not in kh.*SHA256:.*ssh-keyscan -p 22 127\.0\.0\.99/,
    );
    const changed = verifyHostKey(entries, target("127.0.0.11"), otherKey);
    expect(changed).toMatchObject({ ok: false, code: "host-key-mismatch" });
    expect(!changed.ok && changed.message).toMatch(/CHANGED.*line 1.*ssh-keygen -R/);
  });

  it("refuses a revoked key and does not trust cert-authority lines", () => {
    const entries = parseKnownHosts(
      [
        `@revoked ${line("*", edKey)}`,
        line("127.0.0.11", edKey),
        `@cert-authority ${line("*", otherKey)}`,
      ].join("\n"),
    );
    expect(verifyHostKey(entries, target("127.0.0.11"), edKey)).toMatchObject({
      code: "host-key-mismatch",
    });
    expect(verifyHostKey(entries, target("127.0.0.12"), otherKey)).toMatchObject({
      code: "host-key-unknown",
    });
  });

  it("asks only for the key algorithms it knows for the host", () => {
    const entries = parseKnownHosts([line("h", edKey), line("h", rsaKey, "ssh-rsa")].join("\n"));
    expect(knownKeyAlgorithms(entries, "h", 22)).toEqual([
      "ssh-ed25519",
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
    ]);
    expect(knownKeyAlgorithms(entries, "other", 22)).toEqual([]);
  });
});
