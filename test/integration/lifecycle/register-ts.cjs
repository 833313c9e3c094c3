/*
 * Lets a plain `node` child process load the TypeScript sources, so integration tests can start
 * and SIGKILL real worker processes without a build step. Types are stripped, not checked (the
 * type check is `tsc --noEmit` in npm test).
 */
/* global require -- CommonJS: this file is loaded with `node -r` */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook, by design */
const { readFileSync } = require("node:fs");
const ts = require("typescript");

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
};

require.extensions[".ts"] = (module, filename) => {
  const source = readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
