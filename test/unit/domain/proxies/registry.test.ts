import { Inventory, hostKind } from "../../../../src/domain/inventory";
import { Playbook, kindMismatch } from "../../../../src/domain/playbook";
import { validatePlaybook } from "../../../../src/domain/playbook-validation";
import {
  ParserName,
  kindOfParser,
  proxyKind,
  proxyKindList,
  proxyKindNames,
  readerFor,
} from "../../../../src/domain/proxies/registry";

describe("the proxy kinds", () => {
  it("are apache, nginx and haproxy, each with its own default playbook", () => {
    expect(proxyKindNames).toEqual(["apache", "nginx", "haproxy"]);
    expect(proxyKindList.map((k) => k.defaultPlaybook)).toEqual([
      "apache-502",
      "nginx-502",
      "haproxy-502",
    ]);
  });

  it("namespace their parsers by kind, and every parser name has one reader", () => {
    for (const kind of proxyKindList) {
      for (const name of Object.keys(kind.readers)) {
        // server-status (Apache's mod_status) predates the namespaces and keeps its name.
        if (name !== "server-status") expect(name.startsWith(`${kind.name}-`)).toBe(true);
        expect(kindOfParser(name)).toBe(kind.name);
      }
    }
    for (const name of ParserName.options) expect(readerFor(name)).toBeDefined();
    expect(kindOfParser("http-probe")).toBeUndefined();
    expect(readerFor("constructor")).toBeUndefined();
  });

  it("speak their own words for the causes they name differently", () => {
    expect(proxyKind("nginx").recommendation("config_invalid", "edge-1", "x")).toMatch(/nginx -t/);
    expect(proxyKind("haproxy").recommendation("config_invalid", "lb-1", "x")).toMatch(
      /haproxy -c/,
    );
    expect(proxyKind("apache").recommendation("config_invalid", "web-1", "x")).toMatch(
      /apache2ctl configtest/,
    );
  });
});

describe("inventory kind:", () => {
  const inventory = (kind: unknown) =>
    Inventory.safeParse({
      defaults: { kind: "nginx" },
      hosts: { "edge-1": { address: "10.0.0.1" }, "web-1": { address: "10.0.0.2", kind } },
    });

  it("comes from the host, else the defaults, else apache", () => {
    const parsed = inventory("apache");
    if (!parsed.success) throw parsed.error;
    expect(hostKind(parsed.data, "edge-1")).toBe("nginx");
    expect(hostKind(parsed.data, "web-1")).toBe("apache");
    const plain = Inventory.parse({ hosts: { a: { address: "x" } } });
    expect(hostKind(plain, "a")).toBe("apache");
  });

  it("refuses an unknown kind with its field", () => {
    const parsed = inventory("caddy");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["hosts", "web-1", "kind"]);
  });
});

describe("playbook proxy:", () => {
  const playbook = (proxy: string | undefined, parse: string) =>
    Playbook.parse({
      id: "p",
      ...(proxy ? { proxy } : {}),
      title: "P",
      description: "D",
      phases: { immediate: [{ id: "log", title: "Log", kind: "diagnostic", run: "true", parse }] },
    });

  it("refuses a step that parses another kind's output, naming the field", () => {
    expect(validatePlaybook(playbook("nginx", "apache-error-log"))).toEqual([
      {
        path: "phases.immediate[0].parse",
        message:
          'parser "apache-error-log" reads apache output; this playbook is for nginx (proxy: nginx)',
      },
    ]);
    expect(validatePlaybook(playbook("nginx", "nginx-error-log"))).toEqual([]);
    expect(validatePlaybook(playbook("haproxy", "http-probe"))).toEqual([]);
    expect(validatePlaybook(playbook(undefined, "apache-error-log"))).toEqual([]);
  });

  it("runs only on hosts of its kind", () => {
    const nginxPlaybook = playbook("nginx", "nginx-error-log");
    expect(kindMismatch(nginxPlaybook, [{ name: "edge-1", kind: "nginx" }])).toBeNull();
    expect(
      kindMismatch(nginxPlaybook, [
        { name: "edge-1", kind: "nginx" },
        { name: "web-1", kind: "apache" },
        { name: "lb-1", kind: "haproxy" },
      ]),
    ).toBe("p is for nginx hosts; web-1 (apache), lb-1 (haproxy) are not");
  });
});
