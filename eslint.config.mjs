// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const infrastructure = [
  "@slack/*",
  "bullmq",
  "ioredis",
  "node-ssh",
  "ssh2",
  "yaml",
  "pino",
  "pino-pretty",
  "prom-client",
];
const nodeIo = ["node:*", "fs", "child_process", "net", "http", "os", "path"];
// The composition roots and the command line: only they may know every layer.
const entryPoints = ["**/cli/**", "**/cli", "**/main", "../main", "./main"];
const restrict = (patterns, message) => ({
  "no-restricted-imports": ["error", { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".lab/", "bin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // CommonJS config and helper scripts.
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        module: "writable",
        require: "readonly",
        __dirname: "readonly",
        process: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  // The domain core is pure: no infrastructure, no other layer, no Node I/O.
  {
    files: ["src/domain/**/*.ts"],
    rules: restrict(
      [
        ...infrastructure,
        ...nodeIo,
        "**/app/**",
        "**/engine/**",
        "**/ports/**",
        "**/adapters/**",
        "**/config/**",
        ...entryPoints,
      ],
      "domain/ is pure: it imports nothing but zod and other domain modules.",
    ),
  },
  {
    files: ["src/app/**/*.ts"],
    rules: restrict(
      [
        ...infrastructure,
        ...nodeIo,
        "**/adapters/**",
        "**/config/**",
        "**/engine/**",
        ...entryPoints,
      ],
      "app/ knows domain/ and ports/ only; the engine and adapters are wired in main.ts and cli.ts.",
    ),
  },
  {
    files: ["src/ports/**/*.ts"],
    rules: restrict(
      [
        ...infrastructure,
        ...nodeIo,
        "**/app/**",
        "**/adapters/**",
        "**/config/**",
        "**/engine/**",
        ...entryPoints,
      ],
      "ports/ are interfaces over domain/ types: they import nothing else.",
    ),
  },
  // The playbook engine implements the PlaybookRunner port over the RemoteExecutor port.
  {
    files: ["src/engine/**/*.ts"],
    rules: restrict(
      [...infrastructure, ...nodeIo, "**/app/**", "**/adapters/**", "**/config/**", ...entryPoints],
      "engine/ knows domain/ and ports/ only; SSH reaches it through the RemoteExecutor port.",
    ),
  },
  ...["slack", "shell", "queue", "ssh", "store", "playbooks", "http", "log", "metrics"].map(
    (name) => ({
      files: [`src/adapters/${name}/**/*.ts`],
      rules: restrict(
        ["slack", "shell", "queue", "ssh", "store", "playbooks", "http", "log", "metrics"]
          .filter((other) => other !== name)
          .flatMap((other) => [`**/adapters/${other}/**`, `../${other}`, `../${other}/**`]),
        "An adapter never imports another adapter.",
      ),
    }),
  ),
);
