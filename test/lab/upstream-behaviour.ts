import { writeFileSync } from "node:fs";
import { hostPaths } from "./host-files";
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
