import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  loadInventory,
  resolveInventoryHosts,
} from "../../../../src/adapters/playbooks/load-inventory";
import { loadPlaybooks } from "../../../../src/adapters/playbooks/load-playbooks";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "incident-bot-load-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("loading playbooks and inventory from YAML", () => {
  it("loads the shipped playbooks without errors", async () => {
    const loaded = await loadPlaybooks(resolve(__dirname, "../../../../playbooks"));
    expect(loaded.errors).toEqual([]);
    expect(loaded.playbooks.map((p) => p.id)).toContain("apache-502");
  });

  it("reports every schema issue as file: field: message", async () => {
    writeFileSync(
      join(dir, "bad.yaml"),
      "id: other\ntitle: T\ndescription: D\nphases:\n  immediate:\n    - { id: a, title: A, kind: shell, run: x }\n  later: []\n",
    );
    const { errors } = await loadPlaybooks(dir);
    const file = join(dir, "bad.yaml");
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^${file}: phases.immediate\\[0\\].kind: `)),
      `${file}: phases.later: unknown field`,
    ]);
  });

  it("requires the id to match the file name", async () => {
    writeFileSync(
      join(dir, "x.yaml"),
      "id: y\ntitle: T\ndescription: D\nphases:\n  immediate:\n    - { id: m, title: M, kind: manual }\n",
    );
    expect((await loadPlaybooks(dir)).errors).toEqual([
      `${join(dir, "x.yaml")}: id: "y" must match the file name "x"`,
    ]);
  });

  it("loads an inventory, expands ~ and resolves groups", async () => {
    const path = join(dir, "inventory.yml");
    writeFileSync(
      path,
      "defaults:\n  privateKey: ~/.ssh/id_ed25519\nhosts:\n  proxy-1:\n    address: 127.0.0.11\n    vars: { upstream_url: 'http://127.0.0.1:8080' }\ngroups:\n  edge: [proxy-1]\n",
    );
    const { inventory, errors } = await loadInventory(path);
    expect(errors).toEqual([]);
    const [host] = resolveInventoryHosts(
      inventory ?? { defaults: {}, hosts: {}, groups: {}, services: {} },
      ["edge"],
      "/home/op",
    );
    expect(host).toEqual({
      name: "proxy-1",
      kind: "apache",
      target: expect.objectContaining({
        privateKeyPath: "/home/op/.ssh/id_ed25519",
        knownHostsPath: "/home/op/.ssh/known_hosts",
      }),
      vars: { upstream_url: "http://127.0.0.1:8080" },
    });
  });

  it("reports an inventory group naming an unknown host with its field", async () => {
    const path = join(dir, "inventory.yml");
    writeFileSync(path, "hosts:\n  a: { address: 127.0.0.1 }\ngroups:\n  edge: [a, b]\n");
    expect((await loadInventory(path)).errors).toEqual([
      `${path}: groups.edge[1]: unknown host "b"`,
    ]);
  });
});
