#!/usr/bin/env node
// npm 11 writes a lock file holding only the optional native bindings of the platform it runs on
// (the registry reachable here does not even serve the other platforms' builds), and then
// `npm ci` refuses that same lock file as "out of sync". This records each missing optional
// platform package with its version and its os/cpu (read from its name), so `npm ci` accepts the
// lock and skips those packages on a platform they do not fit. Run it after changing dependencies:
//   npm install && node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;

const osNames = ["android", "darwin", "freebsd", "linux", "win32", "openharmony", "sunos", "aix"];
const cpuNames = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "wasm32"];

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (findInstalled(path, name)) continue;
    const platform = platformOf(name);
    if (!platform || !/^[0-9]+\.[0-9]+\.[0-9]+$/.test(range)) {
      console.warn(`complete-lockfile: left ${name}@${range} alone (not a pinned platform build)`);
      continue;
    }
    packages[`node_modules/${name}`] = { version: range, ...platform, optional: true };
    added += 1;
  }
}

const [rootKey, ...rest] = Object.keys(packages);
lock.packages = Object.fromEntries([rootKey, ...rest.sort()].map((key) => [key, packages[key]]));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: recorded ${added} optional platform package(s)`);

/** "resolver-binding-linux-arm-musleabihf" → { os: ["linux"], cpu: ["arm"], libc: ["musl"] } */
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const os = osNames.find((o) => parts.includes(o));
  const cpu = cpuNames.find((c) => parts.includes(c)) ?? (parts.includes("eabi") ? "arm" : null);
  if (!os || !cpu) return null;
  const libc = parts.some((p) => p.startsWith("musl"))
    ? ["musl"]
    : parts.includes("gnu") || parts.some((p) => p.startsWith("gnueabi"))
      ? ["glibc"]
      : null;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

/** Node's resolution: the package's own node_modules, then each parent's, then the root. */
function findInstalled(fromPath, name) {
  let base = fromPath;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return true;
    if (!base) return false;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}
