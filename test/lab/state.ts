import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LabError } from "./errors";
import { LAB_MODES, PROXY_KINDS } from "./modes";

export const STATE_FILE = "lab-state.json";

const hostStateSchema = z.object({
  name: z.string(),
  address: z.string(),
  /** Which proxy the host runs; state files written before kinds existed hold Apache hosts. */
  kind: z.enum(PROXY_KINDS).default("apache"),
  /** The namespace's first process: the init script, which execs sshd -D. */
  sshdPid: z.number().int().nullable(),
  upstreamPid: z.number().int().nullable(),
  /** The host's mount namespace (mnt:[inode]) once it runs; teardown sweeps it by this too. */
  namespace: z.string().nullable().default(null),
  broken: z.enum(LAB_MODES).nullable(),
});

const labStateSchema = z.object({
  version: z.literal(1),
  dir: z.string(),
  block: z.number().int(),
  /** The process the lab dies with (jest worker, script); null when it outlives it (CLI). */
  ownerPid: z.number().int().nullable(),
  startedAt: z.string(),
  hosts: z.array(hostStateSchema),
});

export type HostState = z.infer<typeof hostStateSchema>;
export type LabState = z.infer<typeof labStateSchema>;

export function statePath(dir: string): string {
  return join(dir, STATE_FILE);
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeState(state: LabState): void {
  const path = statePath(state.dir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}

export function readState(dir: string): LabState | null {
  let text: string;
  try {
    text = readFileSync(statePath(dir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const parsed = labStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new LabError("bad-state", `${statePath(dir)} is not a lab state file: ${parsed.error}`);
  }
  return parsed.data;
}
