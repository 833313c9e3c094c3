import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { directoryCache, type ValidatedFileCache } from "../adapters/playbooks/validated-cache";
import type { Config } from "../config/env";

/**
 * The cache of validated playbook and inventory files the command line loads through; undefined
 * when INCIDENT_BOT_CACHE=off, or when the bot's own version cannot be read (an entry written by
 * another version could then be taken for this one's).
 */
export function cliFileCache(config: Config): ValidatedFileCache | undefined {
  if (config.cacheDir === null) return undefined;
  const version = botVersion();
  return version === undefined
    ? undefined
    : directoryCache({ dir: config.cacheDir, botVersion: `${version} build ${buildStamp()}` });
}

/**
 * The modules whose checks a hit skips, as built: their sizes and times. A rebuild (a schema or
 * a rule changed, the version not) writes them anew, so its entries are its own and an older
 * build's are never taken for them, whether or not CACHE_FORMAT was bumped.
 */
const VALIDATING_MODULES = [
  "../domain/playbook",
  "../domain/playbook-validation",
  "../domain/playbook-variables",
  "../domain/inventory",
  "../adapters/playbooks/load-playbooks",
  "../adapters/playbooks/load-inventory",
  "../adapters/playbooks/yaml-file",
];

function buildStamp(): string {
  const hash = createHash("sha256");
  for (const module of VALIDATING_MODULES) {
    try {
      const file = statSync(require.resolve(module));
      hash.update(`${module} ${file.size} ${file.mtimeMs}\n`);
    } catch {
      hash.update(`${module} missing\n`);
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** The version in the bot's package.json, the first one above this file (src/cli/ or dist/src/cli/). */
export function botVersion(from = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, "package.json"));
    if (manifest?.name === "incident-bot") {
      return typeof manifest.version === "string" ? manifest.version : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readManifest(path: string): { name?: unknown; version?: unknown } | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // No package.json in this directory: the caller looks in the one above.
    return null;
  }
  return JSON.parse(text) as { name?: unknown; version?: unknown };
}
