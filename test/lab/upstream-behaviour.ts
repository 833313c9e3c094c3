import { writeFileSync } from "node:fs";
import { hostPaths } from "./host-files";
import { stopUpstream } from "./host-runtime";
import type { LabMode } from "./modes";
import type { HostState } from "./state";
import type { UpstreamBehaviour } from "./upstream-server";

/** Tells a host's upstream how to answer from its next request on. */
export function setUpstreamBehaviour(
  labDir: string,
  host: string,
  behaviour: UpstreamBehaviour,
): void {
  // Written in place (same inode), like every file the lab edits under a bind mount.
  writeFileSync(hostPaths(labDir, host).upstreamBehaviour, `${behaviour}\n`);
}

/** What each mode that breaks only the upstream does to it, whatever proxy sits in front. */
const UPSTREAM_FAULTS: Partial<Record<LabMode, UpstreamBehaviour | "stopped">> = {
  "upstream-stopped": "stopped",
  "upstream-hang": "hang",
  "upstream-malformed": "malformed",
  "upstream-reset": "reset",
};

/**
 * Breaks the host's upstream when the mode is about the upstream alone (the same on every kind);
 * false for the modes each proxy kind injects itself.
 */
export async function injectUpstreamFault(
  labDir: string,
  host: HostState,
  mode: LabMode,
): Promise<boolean> {
  const fault = UPSTREAM_FAULTS[mode];
  if (fault === undefined) return false;
  if (fault === "stopped") await stopUpstream(labDir, host);
  else setUpstreamBehaviour(labDir, host.name, fault);
  return true;
}
