import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Bump when what an entry holds changes: the schemas' output (a new default, a renamed field),
 * the checks a hit skips (domain/playbook-validation.ts, the schemas' refinements), or the entry's
 * own layout. Entries of another format are never read (the format is part of the key).
 */
export const CACHE_FORMAT = 1;

/** What was validated: the same bytes mean another value as a playbook than as an inventory. */
export type CachedKind = "playbook" | "inventory";

/**
 * Validated playbook and inventory files by the SHA-256 of their exact bytes: a hit hands back
 * the value the loader produced for those bytes, so it skips the YAML parser and the checks.
 * Errors are never stored. Every failure of the cache itself is a miss, never an error.
 */
export interface ValidatedFileCache {
  /** The value stored for these bytes, or undefined (not there, unreadable, corrupt, not ours). */
  lookup(kind: CachedKind, bytes: Buffer): Promise<unknown>;
  /** Stores a validated value (plain JSON data); gives up silently when the directory will not take it. */
  store(kind: CachedKind, bytes: Buffer, value: unknown): Promise<void>;
}

export interface FileCacheOptions {
  dir: string;
  /** The bot's version (package.json): another version may validate the same bytes otherwise. */
  botVersion: string;
  /** Entries not written for this long are removed (default 30 days). */
  maxAgeMs?: number;
  /** At most this many entries are kept, the newest (default 200). */
  maxEntries?: number;
  nowMs?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ENTRY = /^[0-9a-f]{64}\.json$/;
const TEMPORARY = /^[0-9a-f]{64}\.json\.[0-9a-f]+\.tmp$/;
/** A temporary file this old was left by a process that died between write and rename. */
const ABANDONED_TEMPORARY_MS = 60 * 60 * 1000;

interface Entry {
  key: string;
  value: unknown;
}

/** The cache in a directory of the user's own: one `KEY.json` per entry, 0600, in a 0700 directory. */
export function directoryCache(options: FileCacheOptions): ValidatedFileCache {
  const keyOf = (kind: CachedKind, bytes: Buffer): string =>
    createHash("sha256")
      .update(`incident-bot ${options.botVersion} format ${CACHE_FORMAT} ${kind}\n`)
      .update(bytes)
      .digest("hex");
  let pruned = false;
  return {
    lookup: async (kind, bytes) => {
      const key = keyOf(kind, bytes);
      const entry = await readEntry(join(options.dir, `${key}.json`));
      // An entry renamed from another key would hand back another file's value.
      return entry?.key === key ? entry.value : undefined;
    },
    store: async (kind, bytes, value) => {
      const key = keyOf(kind, bytes);
      if (!(await writeEntry(options.dir, key, { key, value }))) return;
      if (pruned) return;
      // Once per process and only after a miss wrote something: a hit never pays for this.
      pruned = true;
      await prune(options.dir, {
        maxAgeMs: options.maxAgeMs ?? 30 * DAY_MS,
        maxEntries: options.maxEntries ?? 200,
        nowMs: options.nowMs?.() ?? Date.now(),
      });
    },
  };
}

/**
 * The entry at this path, when it is a file of this user's that nobody else may read or write
 * (what the cache holds is run as shell commands, so a planted entry must never be read) and parses.
 */
async function readEntry(path: string): Promise<Entry | undefined> {
  let text: string;
  try {
    const file = await open(path, "r");
    try {
      if (!isPrivate(await file.stat())) return undefined;
      text = await file.readFile("utf8");
    } finally {
      await file.close();
    }
  } catch {
    // Missing or unreadable: a miss, and the store after it writes a fresh entry.
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isEntry(parsed) ? parsed : undefined;
  } catch {
    // Corrupt (a disk filled mid-write by something else, an editor): a miss, overwritten next.
    return undefined;
  }
}

function isEntry(parsed: unknown): parsed is Entry {
  return (
    typeof parsed === "object" &&
    parsed !== null &&
    typeof (parsed as { key?: unknown }).key === "string" &&
    "value" in parsed
  );
}

/** Owned by this user and writable by nobody else (group and others may not even read). */
function isPrivate(info: { uid: number; mode: number }, allowed = 0o000): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o077 & ~allowed) === 0;
}

/** Writes atomically (temporary file, then rename); false when the directory cannot take it. */
async function writeEntry(dir: string, key: string, entry: Entry): Promise<boolean> {
  const path = join(dir, `${key}.json`);
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // A directory others may write to could hold their entries; the cache stays off there.
    if (!isPrivate(await stat(dir), 0o055)) return false;
    await writeFile(temporary, JSON.stringify(entry), { mode: 0o600, flag: "wx" });
    await rename(temporary, path);
    return true;
  } catch {
    // A read-only home, a full disk, a directory of another user's: the CLI runs without a cache.
    await rm(temporary, { force: true }).catch(() => undefined);
    return false;
  }
}

/** Removes entries older than maxAgeMs, then the oldest past maxEntries; failures are ignored. */
async function prune(
  dir: string,
  limits: { maxAgeMs: number; maxEntries: number; nowMs: number },
): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = await Promise.all(
    names
      .filter((name) => ENTRY.test(name) || TEMPORARY.test(name))
      .map(async (name) => ({ name, info: await stat(join(dir, name)).catch(() => null) })),
  );
  const entries: { name: string; writtenMs: number }[] = [];
  const doomed: string[] = [];
  for (const { name, info } of found) {
    if (!info) continue;
    const ageMs = limits.nowMs - info.mtimeMs;
    const tooOld = TEMPORARY.test(name) ? ageMs > ABANDONED_TEMPORARY_MS : ageMs > limits.maxAgeMs;
    if (tooOld) doomed.push(name);
    else if (ENTRY.test(name)) entries.push({ name, writtenMs: info.mtimeMs });
  }
  entries.sort((a, b) => b.writtenMs - a.writtenMs);
  doomed.push(...entries.slice(limits.maxEntries).map((entry) => entry.name));
  await Promise.all(
    doomed.map((name) => rm(join(dir, name), { force: true }).catch(() => undefined)),
  );
}
