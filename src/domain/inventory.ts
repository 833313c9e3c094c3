import { z } from "zod";
import { DEFAULT_PROXY_KIND, ProxyKindName } from "./proxies/registry";
import { ServiceManager } from "./service-manager";

/**
 * The inventory of the external contract: defaults, hosts (with per-host playbook vars) and
 * groups. `all` is every host. `~` in key paths is expanded by the loader, which knows the home.
 */
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "letters, digits, dot, dash and underscore");

const connection = {
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  privateKey: z.string().min(1).optional(),
  knownHosts: z.string().min(1).optional(),
  /** Which proxy runs on the host (absent: apache); it picks the host's playbook. */
  kind: ProxyKindName.optional(),
  /** The upstream service (a key of `services:`) this proxy forwards to. */
  upstreamService: name.optional(),
};

/** systemd unit names, container names, namespaces: what the managers accept, nothing a shell reads. */
const unitName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,254}$/, "a unit name (letters, digits, _ . @ : -)");
const containerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "a container name (letters, digits, _ . -)");
const k8sName = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    "a Kubernetes name (lower-case letters, digits, -)",
  );
const selector = z
  .string()
  .regex(
    /^[A-Za-z0-9_./-]+(=|==|!=)[A-Za-z0-9_.-]*(,[A-Za-z0-9_./-]+(=|==|!=)[A-Za-z0-9_.-]*)*$/,
    "a label selector such as app=web,tier=api",
  );

const serviceHosts = z.array(name).min(1);

/**
 * An upstream's service and where to ask about it: the hosts that run it (systemd, docker) or that
 * hold the kubectl context (kubernetes), and its name for that manager.
 */
export const UpstreamService = z.discriminatedUnion("manager", [
  z.object({ manager: z.literal("systemd"), hosts: serviceHosts, unit: unitName }).strict(),
  z
    .object({ manager: z.literal("docker"), hosts: serviceHosts, container: containerName })
    .strict(),
  z
    .object({
      manager: z.literal("kubernetes"),
      hosts: serviceHosts,
      namespace: k8sName,
      selector,
      /** The deployment a restart rolls (`kubectl rollout restart deployment/NAME`). */
      deployment: k8sName,
    })
    .strict(),
]);
export type UpstreamService = z.infer<typeof UpstreamService>;

/** The playbook variables a service's playbook gets from its inventory entry. */
export function serviceVars(service: UpstreamService): Record<string, string> {
  switch (service.manager) {
    case "systemd":
      return { unit: service.unit };
    case "docker":
      return { container: service.container };
    case "kubernetes":
      return {
        namespace: service.namespace,
        selector: service.selector,
        deployment: service.deployment,
      };
  }
}

export const InventoryHost = z
  .object({
    address: z.string().min(1),
    ...connection,
    vars: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  })
  .strict();
export type InventoryHost = z.infer<typeof InventoryHost>;

export const Inventory = z
  .object({
    defaults: z.object(connection).strict().default({}),
    hosts: z.record(name, InventoryHost),
    groups: z.record(name, z.array(name)).default({}),
    services: z.record(name, UpstreamService).default({}),
  })
  .strict()
  .superRefine((inventory, ctx) => {
    checkServices(inventory, ctx);
    for (const [group, members] of Object.entries(inventory.groups)) {
      if (group === "all") {
        ctx.addIssue({ code: "custom", path: ["groups", group], message: '"all" is built in' });
      }
      if (isHost(inventory, group)) {
        const message = `"${group}" is both a host and a group`;
        ctx.addIssue({ code: "custom", path: ["groups", group], message });
      }
      members.forEach((member, index) => {
        if (!isHost(inventory, member)) {
          const message = `unknown host "${member}"`;
          ctx.addIssue({ code: "custom", path: ["groups", group, index], message });
        }
      });
    }
  });
export type Inventory = z.infer<typeof Inventory>;

type InventoryShape = Pick<Inventory, "hosts" | "services" | "defaults">;

/** Every service's hosts are inventory hosts; every `upstreamService` names a service. */
function checkServices(inventory: InventoryShape, ctx: z.RefinementCtx): void {
  for (const [service, entry] of Object.entries(inventory.services)) {
    entry.hosts.forEach((member, index) => {
      if (!isHost(inventory, member)) {
        const message = `unknown host "${member}"`;
        ctx.addIssue({ code: "custom", path: ["services", service, "hosts", index], message });
      }
    });
  }
  const named: [(string | number)[], string | undefined][] = [
    [["defaults", "upstreamService"], inventory.defaults.upstreamService],
    ...Object.entries(inventory.hosts).map(
      ([host, entry]): [(string | number)[], string | undefined] => [
        ["hosts", host, "upstreamService"],
        entry.upstreamService,
      ],
    ),
  ];
  for (const [path, service] of named) {
    if (service !== undefined && !Object.hasOwn(inventory.services, service)) {
      const known = Object.keys(inventory.services).join(", ") || "none";
      ctx.addIssue({
        code: "custom",
        path,
        message: `unknown service "${service}"; services: ${known}`,
      });
    }
  }
}

/** The upstream service a proxy host forwards to: its own `upstreamService:`, else the defaults'. */
export function hostUpstreamService(inventory: Inventory, host: string): string | undefined {
  const own = isHost(inventory, host) ? inventory.hosts[host]?.upstreamService : undefined;
  return own ?? inventory.defaults.upstreamService;
}

/** The services of one manager that run on a host (inventory `services:`), by name. */
export function servicesOnHost(
  inventory: Inventory,
  host: string,
  manager: ServiceManager,
): [string, UpstreamService][] {
  return Object.entries(inventory.services).filter(
    ([, service]) => service.manager === manager && service.hosts.includes(host),
  );
}

export function findService(inventory: Inventory, service: string): UpstreamService | undefined {
  return Object.hasOwn(inventory.services, service) ? inventory.services[service] : undefined;
}

/**
 * Names are looked up among the inventory's own keys only: `constructor`, `toString` or
 * `__proto__` are inherited by every object and must not count as a host or a group.
 */
function isHost(inventory: Pick<Inventory, "hosts">, name: string): boolean {
  return Object.hasOwn(inventory.hosts, name);
}

/** The proxy kind of a host: its own `kind:`, else the defaults', else Apache. */
export function hostKind(inventory: Inventory, name: string): ProxyKindName {
  const own = isHost(inventory, name) ? inventory.hosts[name]?.kind : undefined;
  return own ?? inventory.defaults.kind ?? DEFAULT_PROXY_KIND;
}

function groupMembers(inventory: Inventory, name: string): readonly string[] | undefined {
  return Object.hasOwn(inventory.groups, name) ? inventory.groups[name] : undefined;
}

/**
 * How to reach one host: what the inventory resolves to and what the RemoteExecutor port connects
 * to (ports/remote-executor re-exports it), defined once here because domain/ cannot import ports.
 */
export interface HostTarget {
  /** Inventory name, e.g. proxy-1. */
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
}

/** The inventory loader's older name for HostTarget. */
export type InventoryTarget = HostTarget;

export class HostSelectionError extends Error {
  readonly code = "unknown-hosts";
  readonly retryable = false;
  /** The names that matched nothing (the message also lists what is known, for the terminal). */
  constructor(
    message: string,
    readonly unknown: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * Host names for a selection of host names, group names and `all`, in inventory order, each once.
 * Unknown names are an error that lists what is known.
 */
export function selectHosts(inventory: Inventory, selection: readonly string[]): string[] {
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const item of selection) {
    const members =
      item === "all"
        ? Object.keys(inventory.hosts)
        : isHost(inventory, item)
          ? [item]
          : groupMembers(inventory, item);
    if (members) members.forEach((host) => chosen.add(host));
    else unknown.push(item);
  }
  if (unknown.length > 0) {
    const hosts = Object.keys(inventory.hosts).join(", ") || "none";
    const groups = ["all", ...Object.keys(inventory.groups)].join(", ");
    throw new HostSelectionError(
      `unknown host or group ${unknown.map((u) => `"${u}"`).join(", ")}; hosts: ${hosts}; groups: ${groups}`,
      unknown,
    );
  }
  return Object.keys(inventory.hosts).filter((host) => chosen.has(host));
}

const fallback = {
  user: "root",
  port: 22,
  privateKey: "~/.ssh/id_ed25519",
  knownHosts: "~/.ssh/known_hosts",
};

/** `~` and `~/x` → the home directory; other paths are kept as written. */
export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return `${home.replace(/\/$/, "")}/${path.slice(2)}`;
  return path;
}

/** The connection settings of one host: host values, else inventory defaults, else the CONTRACT's. */
export function hostTarget(inventory: Inventory, host: string, home: string): HostTarget {
  const entry = isHost(inventory, host) ? inventory.hosts[host] : undefined;
  if (!entry) throw new HostSelectionError(`unknown host "${host}"`);
  const d = inventory.defaults;
  return {
    name: host,
    address: entry.address,
    port: entry.port ?? d.port ?? fallback.port,
    user: entry.user ?? d.user ?? fallback.user,
    privateKeyPath: expandHome(entry.privateKey ?? d.privateKey ?? fallback.privateKey, home),
    knownHostsPath: expandHome(entry.knownHosts ?? d.knownHosts ?? fallback.knownHosts, home),
  };
}
