import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { LabError } from "./errors";
import { isRunning } from "./processes";

/** Block k owns the addresses 127.0.k.1 … 127.0.k.60. */
export const MAX_HOSTS_PER_BLOCK = 60;
const MAX_BLOCK = 250;
/** A lock dir without its owner file is someone still writing it, unless it is this old. */
const ORPHAN_LOCK_AGE_MS = 60_000;

const ownerSchema = z.object({
  dir: z.string(),
  /** The process the lab lives and dies with; null for a lab that outlives its creator (CLI). */
  ownerPid: z.number().int().nullable(),
});
export type BlockOwner = z.infer<typeof ownerSchema>;

export function blocksRoot(): string {
  return join(tmpdir(), "incident-lab", "blocks");
}

export function addressOf(block: number, index: number): string {
  return `127.0.${block}.${index}`;
}

/**
 * Decides whether a block's lab is gone. A block with an owner process is stale once that process
 * is; a detached lab's block is stale once `isLabAlive(dir, block)` says none of its processes runs.
 */
export type LabLiveness = (dir: string, block: number) => boolean;

/**
 * Takes the lowest free block atomically: mkdir either creates the lock dir or fails, so two labs
 * never share addresses. A stale block is renamed away first (rename is atomic too, so only one
 * reclaimer wins) and handed to `reap` so its leftovers can be stopped.
 */
export function allocateBlock(
  owner: BlockOwner,
  isLabAlive: LabLiveness,
  reap: (stale: BlockOwner, block: number) => void,
): number {
  const root = blocksRoot();
  mkdirSync(root, { recursive: true });
  for (let block = 1; block <= MAX_BLOCK; block++) {
    const lock = join(root, String(block));
    if (tryLock(lock, owner)) return block;
    const stale = staleOwner(lock, block, isLabAlive);
    if (stale === undefined) continue;
    const trash = join(root, `.stale-${block}-${randomUUID()}`);
    try {
      renameSync(lock, trash);
    } catch {
      continue; // someone else reclaimed it first
    }
    if (stale !== null) reap(stale, block);
    rmSync(trash, { recursive: true, force: true });
    if (tryLock(lock, owner)) return block;
  }
  throw new LabError(
    "no-free-block",
    `no free address block under ${root}: ${MAX_BLOCK} labs are running (or their locks are stuck)`,
  );
}

export function updateBlockOwner(block: number, owner: BlockOwner): void {
  writeFileSync(join(blocksRoot(), String(block), "owner.json"), JSON.stringify(owner));
}

export function releaseBlock(block: number, dir: string): void {
  const lock = join(blocksRoot(), String(block));
  const owner = readOwner(lock);
  // Never release a block that has since been reclaimed by another lab.
  if (owner !== null && owner.dir !== dir) return;
  rmSync(lock, { recursive: true, force: true });
}

function tryLock(lock: string, owner: BlockOwner): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  writeFileSync(join(lock, "owner.json"), JSON.stringify(owner));
  return true;
}

/** undefined: in use; null: stale and nothing known about it; otherwise the stale owner. */
function staleOwner(
  lock: string,
  block: number,
  isLabAlive: LabLiveness,
): BlockOwner | null | undefined {
  const owner = readOwner(lock);
  if (owner === null) {
    try {
      return Date.now() - statSync(lock).mtimeMs > ORPHAN_LOCK_AGE_MS ? null : undefined;
    } catch {
      return undefined;
    }
  }
  if (owner.ownerPid !== null) return isRunning(owner.ownerPid) ? undefined : owner;
  return isLabAlive(owner.dir, block) ? undefined : owner;
}

function readOwner(lock: string): BlockOwner | null {
  try {
    return ownerSchema.parse(JSON.parse(readFileSync(join(lock, "owner.json"), "utf8")));
  } catch {
    return null;
  }
}
