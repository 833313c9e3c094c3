import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The layering rules of README "Architecture", checked the way `npm test` checks them: ESLint's
// import restrictions on each layer, and the cycle check over src/.
const root = join(__dirname, "..", "..", "..");

type Case = [file: string, code: string];

/**
 * Lints each snippet as if it were the named file, in one separate Node process: ESLint loads its
 * flat config with a dynamic import, which jest's module sandbox does not allow.
 */
function restrictedImports(cases: readonly Case[]): number[] {
  const program = `
    const { ESLint } = require("eslint");
    const path = require("node:path");
    const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const eslint = new ESLint({ cwd: process.cwd() });
    Promise.all(cases.map(async ([file, code]) => {
      const [result] = await eslint.lintText(code, { filePath: path.resolve(file) });
      return result.messages.filter((m) => m.ruleId === "no-restricted-imports").length;
    })).then((counts) => process.stdout.write(JSON.stringify(counts)));
  `;
  const output = execFileSync("node", ["-e", program], {
    cwd: root,
    input: JSON.stringify(cases),
    encoding: "utf8",
  });
  return JSON.parse(output) as number[];
}

describe("layer boundaries", () => {
  const forbidden: Case[] = [
    ["src/domain/x.ts", 'import "../cli/run";\n'],
    ["src/domain/x.ts", 'import "../engine/host-steps";\n'],
    ["src/app/x.ts", 'import "node:fs";\n'],
    ["src/app/x.ts", 'import "../engine/host-steps";\n'],
    ["src/ports/x.ts", 'import "../app/add-note";\n'],
    ["src/engine/x.ts", 'import "../app/add-note";\n'],
    ["src/engine/x.ts", 'import "../adapters/ssh/ssh-executor";\n'],
    ["src/adapters/slack/x.ts", 'import "../store/redis-keys";\n'],
  ];
  const allowed: Case[] = [
    ["src/engine/x.ts", 'import "../domain/playbook";\nimport "../ports/remote-executor";\n'],
    ["src/app/x.ts", 'import "../domain/incident";\nimport "../ports/chat";\n'],
    ["src/main.ts", 'import "./engine/playbook-runner";\nimport "./adapters/ssh/ssh-executor";\n'],
  ];

  it("refuses each import across a boundary and lets the allowed ones through", () => {
    const counts = restrictedImports([...forbidden, ...allowed]);
    expect(counts).toEqual([...forbidden.map(() => 1), ...allowed.map(() => 0)]);
  });
});

describe("import cycle check", () => {
  const script = join(root, "scripts", "check-import-cycles.mjs");
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cycles-"));
    mkdirSync(join(dir, "a"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const check = (): { ok: boolean; output: string } => {
    try {
      return { ok: true, output: execFileSync("node", [script, dir], { encoding: "utf8" }) };
    } catch (error) {
      const failed = error as { stderr: string };
      return { ok: false, output: failed.stderr };
    }
  };

  it("passes a tree whose imports go one way", () => {
    writeFileSync(
      join(dir, "a", "one.ts"),
      'import { two } from "./two";\nexport const one = two;\n',
    );
    writeFileSync(join(dir, "a", "two.ts"), "export const two = 2;\n");
    expect(check().ok).toBe(true);
  });

  it("names the modules of a cycle, type-only imports and index files included", () => {
    writeFileSync(join(dir, "a", "index.ts"), 'export { one } from "./one";\n');
    writeFileSync(
      join(dir, "a", "one.ts"),
      'import type { T } from "../b";\nexport const one = 1;\n',
    );
    writeFileSync(join(dir, "b.ts"), 'import { one } from "./a";\nexport type T = typeof one;\n');
    const { ok, output } = check();
    expect(ok).toBe(false);
    expect(output).toMatch(/b\.ts/);
    expect(output).toMatch(/a\/one\.ts/);
  });
});
