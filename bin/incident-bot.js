#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the prepare script, or `npm run build`).
"use strict";
try {
  require("../dist/src/cli.js");
} catch (error) {
  if (
    error &&
    error.code === "MODULE_NOT_FOUND" &&
    String(error.message).includes("dist/src/cli.js")
  ) {
    console.error("incident-bot is not built yet: run `npm run build` (or `npm ci`) first.");
    process.exit(2);
  }
  throw error;
}
