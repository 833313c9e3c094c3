import {
  Inventory,
  hostTarget,
  hostUpstreamService,
  selectHosts,
  serviceVars,
} from "../../../src/domain/inventory";

const inventory = Inventory.parse({
  defaults: { user: "ops", privateKey: "~/.ssh/id_ed25519", knownHosts: "~/.ssh/known_hosts" },
  hosts: {
    "proxy-1": { address: "127.0.0.11", vars: { upstream_url: "http://127.0.0.1:8080" } },
    "proxy-2": { address: "127.0.0.12", port: 2222, user: "root" },
    "proxy-3": { address: "127.0.0.13", privateKey: "/keys/k" },
  },
  groups: { edge: ["proxy-1", "proxy-2"] },
});

describe("inventory", () => {
  it("selects hosts by name, group and all, in inventory order and each once", () => {
    expect(selectHosts(inventory, ["proxy-2", "edge"])).toEqual(["proxy-1", "proxy-2"]);
    expect(selectHosts(inventory, ["all"])).toEqual(["proxy-1", "proxy-2", "proxy-3"]);
  });

  it("lists the known hosts and groups when a name is unknown", () => {
    expect(() => selectHosts(inventory, ["proxy-9"])).toThrow(
      'unknown host or group "proxy-9"; hosts: proxy-1, proxy-2, proxy-3; groups: all, edge',
    );
  });

  it("merges host settings over defaults and expands the home directory", () => {
    expect(hostTarget(inventory, "proxy-1", "/home/me")).toEqual({
      name: "proxy-1",
      address: "127.0.0.11",
      port: 22,
      user: "ops",
      privateKeyPath: "/home/me/.ssh/id_ed25519",
      knownHostsPath: "/home/me/.ssh/known_hosts",
    });
    expect(hostTarget(inventory, "proxy-2", "/h")).toMatchObject({ port: 2222, user: "root" });
    expect(hostTarget(inventory, "proxy-3", "/h").privateKeyPath).toBe("/keys/k");
  });

  it("refuses groups with unknown members and groups named like hosts", () => {
    const result = Inventory.safeParse({
      hosts: { a: { address: "127.0.0.1" } },
      groups: { a: ["a"], g: ["b"] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual([
      "groups.a",
      "groups.g.1".replace(".1", ".0"),
    ]);
  });
});

describe("inventory lookups by name", () => {
  const inherited = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];

  it.each(inherited)(
    "refuses %s as an unknown host or group instead of selecting nothing",
    (name) => {
      expect(() => selectHosts(inventory, [name])).toThrow(`unknown host or group "${name}"`);
      expect(() => selectHosts(inventory, ["proxy-1", name])).toThrow(`"${name}"`);
    },
  );

  it.each(inherited)("has no connection settings for %s", (name) => {
    expect(() => hostTarget(inventory, name, "/h")).toThrow(`unknown host "${name}"`);
  });

  it("refuses a group whose member is only an inherited name", () => {
    const result = Inventory.safeParse({
      hosts: { a: { address: "127.0.0.1" } },
      groups: { g: ["a", "constructor"], toString: ["a"] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'unknown host "constructor"',
    ]);
  });

  it("still finds a host or group whose name is an inherited one when the inventory has it", () => {
    const own = Inventory.parse({
      hosts: { constructor: { address: "127.0.0.1" }, b: { address: "127.0.0.2" } },
      groups: { toString: ["b"] },
    });
    expect(selectHosts(own, ["constructor"])).toEqual(["constructor"]);
    expect(selectHosts(own, ["toString"])).toEqual(["b"]);
    expect(hostTarget(own, "constructor", "/h").address).toBe("127.0.0.1");
  });
});

describe("inventory services", () => {
  const base = {
    hosts: {
      "proxy-1": { address: "127.0.0.11", upstreamService: "app" },
      "app-1": { address: "127.0.0.21" },
    },
  };

  it("accepts a service per manager and tells each proxy its upstream service", () => {
    const parsed = Inventory.parse({
      ...base,
      defaults: { upstreamService: "pods" },
      hosts: { ...base.hosts, "proxy-2": { address: "127.0.0.12" } },
      services: {
        app: { hosts: ["app-1"], manager: "systemd", unit: "app.service" },
        box: { hosts: ["app-1"], manager: "docker", container: "app" },
        pods: {
          hosts: ["app-1"],
          manager: "kubernetes",
          namespace: "web",
          selector: "app=web",
          deployment: "web",
        },
      },
    });
    expect(hostUpstreamService(parsed, "proxy-1")).toBe("app");
    expect(hostUpstreamService(parsed, "proxy-2")).toBe("pods");
    expect(serviceVars(parsed.services.pods!)).toEqual({
      namespace: "web",
      selector: "app=web",
      deployment: "web",
    });
  });

  it("refuses unknown hosts and services with the field that names them", () => {
    const result = Inventory.safeParse({
      ...base,
      hosts: { ...base.hosts, "proxy-2": { address: "127.0.0.12", upstreamService: "nope" } },
      services: { app: { hosts: ["app-9"], manager: "systemd", unit: "app.service" } },
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'services.app.hosts.0: unknown host "app-9"',
        'hosts.proxy-2.upstreamService: unknown service "nope"; services: app',
      ]),
    );
  });

  it("refuses a unit name a shell would read and a manager it does not know", () => {
    const bad = (service: object) =>
      Inventory.safeParse({ ...base, services: { app: { hosts: ["app-1"], ...service } } }).success;
    expect(bad({ manager: "systemd", unit: "app;reboot" })).toBe(false);
    expect(bad({ manager: "runit", unit: "app" })).toBe(false);
  });
});
