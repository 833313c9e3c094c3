import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { loadInventory } from "../../../../src/adapters/playbooks/load-inventory";
import { loadPlaybookFile } from "../../../../src/adapters/playbooks/load-playbooks";
import {
  directoryCache,
  type FileCacheOptions,
} from "../../../../src/adapters/playbooks/validated-cache";

const shipped = resolve(__dirname, "../../../../playbooks/apache-502.yaml");
let scratch: string;
let cacheDir: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "incident-bot-cache-"));
  cacheDir = join(scratch, "cache", "incident-bot");
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const cacheIn = (dir = cacheDir, more: Partial<FileCacheOptions> = {}) =>
  directoryCache({ dir, botVersion: "1.2.3", ...more });

const entries = (dir = cacheDir): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".json")) : [];

/** The one entry of the cache directory, as stored. */
function onlyEntry(): { path: string; stored: { key: string; value: Record<string, unknown> } } {
  const names = entries();
  expect(names).toHaveLength(1);
  const path = join(cacheDir, names[0] ?? "");
  return { path, stored: JSON.parse(readFileSync(path, "utf8")) };
}

function playbookCopy(name = "apache-502.yaml"): string {
  const path = join(scratch, name);
  copyFileSync(shipped, path);
  return path;
}

const inventoryText = [
  "defaults:",
  "  privateKey: ~/.ssh/id_ed25519",
  "hosts:",
  "  proxy-1: { address: 127.0.0.11, vars: { upstream_url: 'http://127.0.0.1:8080/' } }",
  "groups:",
  "  edge: [proxy-1]",
].join("\n");

describe("the cache of validated playbook and inventory files", () => {
  it("hands back on a hit exactly the value a miss validated", async () => {
    const shippedNames = readdirSync(dirname(shipped)).filter((name) => name.endsWith(".yaml"));
    expect(shippedNames.length).toBeGreaterThan(1);
    for (const name of shippedNames) {
      const path = join(dirname(shipped), name);
      const uncached = await loadPlaybookFile(path);
      expect(uncached.errors).toEqual([]);
      expect(await loadPlaybookFile(path, cacheIn())).toStrictEqual(uncached);
      expect(await loadPlaybookFile(path, cacheIn())).toStrictEqual(uncached);
    }
    expect(entries()).toHaveLength(shippedNames.length);

    const inventory = join(scratch, "inventory.yml");
    writeFileSync(inventory, inventoryText);
    const inventoryMiss = await loadInventory(inventory, cacheIn());
    const inventoryHit = await loadInventory(inventory, cacheIn());
    expect(inventoryMiss.errors).toEqual([]);
    expect(inventoryHit).toStrictEqual(await loadInventory(inventory));
    expect(entries()).toHaveLength(shippedNames.length + 1);
  });

  it("serves a hit from the stored entry, without reading the YAML again", async () => {
    const path = playbookCopy();
    await loadPlaybookFile(path, cacheIn());
    const { path: entryPath, stored } = onlyEntry();
    writeFileSync(entryPath, JSON.stringify({ ...stored, value: { ...stored.value, title: "T" } }));
    const hit = await loadPlaybookFile(path, cacheIn());
    expect(hit.playbooks[0]?.title).toBe("T");
  });

  it("misses for an edited file and for another version of the bot", async () => {
    const path = playbookCopy();
    await loadPlaybookFile(path, cacheIn());
    writeFileSync(path, readFileSync(path, "utf8").replace(/^title: .*$/m, "title: Edited title"));
    const edited = await loadPlaybookFile(path, cacheIn());
    expect(edited.playbooks[0]?.title).toBe("Edited title");
    expect(entries()).toHaveLength(2);
    await loadPlaybookFile(path, cacheIn(cacheDir, { botVersion: "1.2.4" }));
    expect(entries()).toHaveLength(3);
  });

  it("treats a corrupt entry as a miss and writes it again", async () => {
    const path = playbookCopy();
    const fresh = await loadPlaybookFile(path, cacheIn());
    const { path: entryPath } = onlyEntry();
    writeFileSync(entryPath, '{"key": "trunc');
    expect(await loadPlaybookFile(path, cacheIn())).toStrictEqual(fresh);
    expect(onlyEntry().stored.value).toMatchObject({ id: "apache-502" });
  });

  it("never reads an entry others could have written", async () => {
    const path = playbookCopy();
    await loadPlaybookFile(path, cacheIn());
    const { path: entryPath, stored } = onlyEntry();
    writeFileSync(entryPath, JSON.stringify({ ...stored, value: { ...stored.value, title: "T" } }));
    chmodSync(entryPath, 0o666);
    const loaded = await loadPlaybookFile(path, cacheIn());
    expect(loaded.playbooks[0]?.title).toBe("Apache reverse proxy answers 502");
    expect(statSync(entryPath).mode & 0o777).toBe(0o600);
  });

  it("writes entries 0600 in a 0700 directory", async () => {
    await loadPlaybookFile(playbookCopy(), cacheIn());
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(onlyEntry().path).mode & 0o777).toBe(0o600);
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
  });

  it("still loads when the cache directory cannot be created or is writable by others", async () => {
    const blocker = join(scratch, "a-file");
    writeFileSync(blocker, "");
    const path = playbookCopy();
    const uncached = await loadPlaybookFile(path);
    // A directory under a plain file fails even for root, like a read-only home does for others.
    expect(await loadPlaybookFile(path, cacheIn(join(blocker, "cache")))).toStrictEqual(uncached);
    const shared = join(scratch, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(await loadPlaybookFile(path, cacheIn(shared))).toStrictEqual(uncached);
    expect(entries(shared)).toEqual([]);
  });

  it("never stores a broken file and reports its errors with file and field every time", async () => {
    const path = join(scratch, "broken.yaml");
    writeFileSync(
      path,
      [
        "id: broken",
        "title: Broken",
        "description: D",
        "vars: { log: { type: path, default: /var/log/x } }",
        "phases:",
        "  immediate:",
        "    - { id: a, title: A, kind: diagnostic, run: 'tail {{ nope }}' }",
        "    - { id: b, title: B, kind: shell, run: x }",
      ].join("\n"),
    );
    const first = await loadPlaybookFile(path, cacheIn());
    expect(first.errors).toEqual([
      expect.stringMatching(/broken\.yaml: phases\.immediate\[1\]\.kind: /),
    ]);
    writeFileSync(path, readFileSync(path, "utf8").replace("kind: shell, run: x", "kind: manual"));
    const expected = [`${path}: phases.immediate[0].run: unknown variable "nope" (declared: log)`];
    expect((await loadPlaybookFile(path, cacheIn())).errors).toEqual(expected);
    expect((await loadPlaybookFile(path, cacheIn())).errors).toEqual(expected);
    const inventory = join(scratch, "inventory.yml");
    writeFileSync(inventory, "hosts:\n  a: { address: 127.0.0.1 }\ngroups:\n  edge: [a, b]\n");
    for (let round = 0; round < 2; round++) {
      expect((await loadInventory(inventory, cacheIn())).errors).toEqual([
        `${inventory}: groups.edge[1]: unknown host "b"`,
      ]);
    }
    expect(entries()).toEqual([]);
  });

  it("checks the file name against the id on a hit too", async () => {
    const path = playbookCopy();
    await loadPlaybookFile(path, cacheIn());
    const renamed = playbookCopy("other.yaml");
    expect((await loadPlaybookFile(renamed, cacheIn())).errors).toEqual([
      `${renamed}: id: "apache-502" must match the file name "other"`,
    ]);
  });

  it("removes entries past their age and the oldest past the limit when it writes", async () => {
    const nowMs = Date.now();
    const day = 24 * 60 * 60 * 1000;
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const planted = (
      [
        ["a", 40],
        ["b", 3],
        ["c", 2],
        ["d", 1],
      ] as const
    ).map(([letter, ageDays]) => {
      const path = join(cacheDir, `${letter.repeat(64)}.json`);
      writeFileSync(path, "{}", { mode: 0o600 });
      const writtenS = (nowMs - ageDays * day) / 1000;
      utimesSync(path, writtenS, writtenS);
      return path;
    });
    await loadPlaybookFile(
      playbookCopy(),
      cacheIn(cacheDir, { maxEntries: 3, nowMs: () => nowMs }),
    );
    // a is 40 days old; of the other four, the oldest (b) goes to keep three.
    expect(planted.map((path) => existsSync(path))).toEqual([false, false, true, true]);
    expect(entries()).toHaveLength(3);
  });
});
