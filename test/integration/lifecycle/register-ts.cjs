/*
 * Lets a plain `node` child process load the TypeScript sources, so integration tests can start
 * and SIGKILL real worker processes without a build step. Types are stripped, not checked (the
 * type check is `tsc --noEmit` in npm test). Output is cached in the temp directory by content
 * hash, so a restarted worker starts in a fraction of the first one's time.
 */
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, writeFileSync, renameSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const cacheDir = join(tmpdir(), "incident-bot-ts-cache");
mkdirSync(cacheDir, { recursive: true });
let ts = null;

function transpile(source, filename) {
  const key = createHash("sha1").update(filename).update("\0").update(source).digest("hex");
  const cached = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, "utf8");
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  ts ??= require("typescript");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: filename,
  });
  // Write then rename: two workers starting at once never read a half-written file.
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, outputText);
  renameSync(partial, cached);
  return outputText;
}

require.extensions[".ts"] = (module, filename) => {
  module._compile(transpile(readFileSync(filename, "utf8"), filename), filename);
};
