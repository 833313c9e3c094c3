import { z } from "zod";

/** What keeps an upstream's service running: the inventory's `manager:`, a playbook's `service:`. */
export const ServiceManager = z.enum(["systemd", "docker", "kubernetes"]);
export type ServiceManager = z.infer<typeof ServiceManager>;

/** The playbook that checks (and restarts) a service of each manager. */
export function servicePlaybookId(manager: ServiceManager): string {
  return `upstream-${manager}`;
}
