import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PlaybookRunReport } from "../../src/domain/step-result";
import { up, type Lab } from "../lab/lab";

const root = resolve(__dirname, "../..");
const bin = join(root, "bin", "incident-bot.js");
let lab: Lab;
let scratch: string;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a separate process, the way an operator runs it (needs `npm run build`). */
function cli(args: string[]): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: scratch },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/**
 * The modules a dry run of apache-502 on proxy-1 loads (require.cache once it is done), with the
 * CLI called in a fresh process through dispatch, and what it printed.
 */
async function modulesLoadedByRun(
  env: Record<string, string>,
): Promise<{ code: number; loaded: string[]; out: string }> {
  const script = [
    `const { dispatch } = require(${JSON.stringify(join(root, "dist/src/cli/dispatch.js"))});`,
    "let out = '';",
    "const io = { out: (text) => (out += text), err: () => undefined, env: process.env };",
    `dispatch(["run", "apache-502", "--hosts", "proxy-1", "--dry-run", "--inventory", ${JSON.stringify(lab.inventoryPath)}], io)`,
    "  .then((code) => console.log(JSON.stringify({ code, loaded: Object.keys(require.cache), out })));",
  ].join("\n");
  const ran = await new Promise<Ran>((done, fail) => {
    const child = spawn(process.execPath, ["-e", script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: scratch, ...env },
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr: "" }));
  });
  return JSON.parse(ran.stdout) as { code: number; loaded: string[]; out: string };
}

/** A one-step playbook whose command leaves a file on the host, to see whether it ran. */
function markerPlaybook(marker: string): string {
  const dir = join(scratch, "playbooks");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(
    join(dir, "marker.yaml"),
    [
      "id: marker",
      "title: Marker",
      "description: Leaves a file behind",
      "vars:",
      "  marker: { type: path, default: " + marker + " }",
      "phases:",
      "  immediate:",
      "    - { id: touch, title: Touch, kind: diagnostic, run: 'touch {{ marker }}' }",
    ].join("\n"),
  );
  return dir;
}

beforeAll(async () => {
  if (!existsSync(join(root, "dist", "src", "cli.js"))) {
    throw new Error("the CLI is not built: run `npm run build` first (npm test does)");
  }
  scratch = mkdtempSync(join(tmpdir(), "incident-bot-cli-"));
  lab = await up(2);
}, 120_000);

afterAll(async () => {
  await lab?.down();
  rmSync(scratch, { recursive: true, force: true });
});

describe("incident-bot CLI against the lab", () => {
  it("prints the CONTRACT JSON document for run --json and exits 0 when every step ran", async () => {
    const ran = await cli([
      "run",
      "apache-502",
      "--hosts",
      "lab",
      "--json",
      "--inventory",
      lab.inventoryPath,
    ]);
    expect(ran.stderr).toBe("");
    const report = PlaybookRunReport.parse(JSON.parse(ran.stdout));
    expect(report.playbook).toBe("apache-502");
    expect(report.phase).toBe("immediate");
    expect(report.hosts.map((host) => host.host)).toEqual(["proxy-1", "proxy-2"]);
    const statuses = report.hosts.flatMap((host) => host.steps.map((step) => step.status));
    expect(statuses).not.toContain("error");
    expect(ran.code).toBe(0);
  });

  it("runs only the triage steps with --triage and reaches the cause the whole phase reaches", async () => {
    await lab.break("proxy-2", "upstream-stopped");
    try {
      await lab.hit("proxy-2", 5);
      const args = [
        "run",
        "apache-502",
        "--hosts",
        "lab",
        "--json",
        "--inventory",
        lab.inventoryPath,
      ];
      const triaged = await cli([...args, "--triage"]);
      expect(triaged.stderr).toBe("");
      expect(triaged.code).toBe(0);
      const document = JSON.parse(triaged.stdout) as { triage?: boolean };
      expect(document.triage).toBe(true);
      const triage = PlaybookRunReport.parse(document);
      expect(triage.hosts[1]?.steps.map((step) => step.id)).toEqual([
        "error-log",
        "access-log",
        "upstream-http",
        "upstream-port",
        "upstream-dns",
        "configtest",
      ]);
      const whole = PlaybookRunReport.parse(JSON.parse((await cli(args)).stdout));
      expect(triage.diagnosis).toMatchObject({ cause: "upstream_refused", hosts: ["proxy-2"] });
      expect(whole.diagnosis).toMatchObject({ cause: "upstream_refused", hosts: ["proxy-2"] });
      expect(whole.hosts[1]?.steps.length).toBeGreaterThan(triage.hosts[1]?.steps.length ?? 0);
    } finally {
      await lab.fix("proxy-2");
    }
  });

  it("loads neither Slack, BullMQ, Redis, pino-pretty nor prom-client for a run", async () => {
    const { code, loaded } = await modulesLoadedByRun({ INCIDENT_BOT_CACHE: "off" });
    expect(code).toBe(0);
    const heavy = loaded.filter((path) =>
      /node_modules\/(@slack|bullmq|ioredis|pino|pino-pretty|prom-client)\//.test(path),
    );
    expect(heavy).toEqual([]);
  });

  it("loads no SSH library for a dry run", async () => {
    const { code, loaded } = await modulesLoadedByRun({ INCIDENT_BOT_CACHE: "off" });
    expect(code).toBe(0);
    expect(loaded.filter((path) => /node_modules\/(node-ssh|ssh2)\//.test(path))).toEqual([]);
  });

  it("does not load the yaml package for a run whose playbook and inventory are cached", async () => {
    const env = { INCIDENT_BOT_CACHE_DIR: join(scratch, "module-cache") };
    const yaml = (loaded: string[]) => loaded.filter((path) => /node_modules\/yaml\//.test(path));
    const miss = await modulesLoadedByRun(env);
    expect(miss.code).toBe(0);
    expect(yaml(miss.loaded)).not.toEqual([]);
    const hit = await modulesLoadedByRun(env);
    expect(hit.code).toBe(0);
    expect(yaml(hit.loaded)).toEqual([]);
    expect(hit.out).toBe(miss.out);
  });

  it("prints per-host steps and the diagnosis for people", async () => {
    const ran = await cli([
      "run",
      "apache-502",
      "--hosts",
      "proxy-1",
      "--inventory",
      lab.inventoryPath,
    ]);
    expect(ran.stdout).toMatch(/^proxy-1$/m);
    expect(ran.stdout).toMatch(/^Diagnosis: /m);
  });

  it("prints the exact commands for --dry-run and runs nothing", async () => {
    const marker = `/tmp/incident-bot-dry-run-${process.pid}-${Date.now()}`;
    const playbooks = markerPlaybook(marker);
    const args = [
      "run",
      "marker",
      "--hosts",
      "proxy-1",
      "--playbooks",
      playbooks,
      "--inventory",
      lab.inventoryPath,
    ];
    const dry = await cli([...args, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`$ touch '${marker}'`);
    const afterDry = await lab.exec("proxy-1", ["test", "-e", marker]);
    expect(afterDry.code).not.toBe(0);
    const real = await cli(args);
    expect(real.code).toBe(0);
    const afterRun = await lab.exec("proxy-1", ["test", "-e", marker]);
    expect(afterRun.code).toBe(0);
    await lab.exec("proxy-1", ["rm", "-f", marker]);
  });

  it("exits 1 when a host cannot be reached and still reports the others", async () => {
    const inventory = join(scratch, "inventory-with-gone.yml");
    writeFileSync(
      inventory,
      [
        "defaults:",
        `  privateKey: ${lab.privateKeyPath}`,
        `  knownHosts: ${lab.knownHostsPath}`,
        "hosts:",
        `  proxy-1: { address: ${lab.host("proxy-1").address}, vars: { upstream_url: "http://127.0.0.1:9/" } }`,
        `  gone: { address: 127.0.0.1, port: 9, vars: { upstream_url: "http://127.0.0.1:9/" } }`,
      ].join("\n"),
    );
    const ran = await cli([
      "run",
      "apache-502",
      "--hosts",
      "all",
      "--json",
      "--inventory",
      inventory,
    ]);
    expect(ran.code).toBe(1);
    const report = PlaybookRunReport.parse(JSON.parse(ran.stdout));
    const gone = report.hosts.find((host) => host.host === "gone");
    expect(
      gone?.steps
        .filter((s) => s.status !== "skipped" && s.status !== "awaiting-approval")
        .every((s) => s.status === "error"),
    ).toBe(true);
    const proxy = report.hosts.find((host) => host.host === "proxy-1");
    expect(proxy?.steps.some((s) => s.status === "ok")).toBe(true);
  });

  it("exits 2 with the usage for bad usage and lists known hosts for unknown ones", async () => {
    const missing = await cli(["run", "apache-502"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--hosts is required[\s\S]*usage: incident-bot run PLAYBOOK/);
    const unknown = await cli([
      "run",
      "apache-502",
      "--hosts",
      "nope",
      "--inventory",
      lab.inventoryPath,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown host or group "nope"; hosts: proxy-1, proxy-2; groups: all, lab',
    );
  });

  it("validates the shipped playbooks with the lab inventory", async () => {
    const ran = await cli(["validate", "--inventory", lab.inventoryPath]);
    expect(ran.stdout).toMatch(/^ok: \d+ playbooks, 2 hosts$/m);
    expect(ran.code).toBe(0);
  });

  it("names the file and field of every problem in a broken playbook", async () => {
    // The YAML syntax error is written here: a committed broken YAML file would trip prettier.
    const dir = join(scratch, "playbooks-broken");
    mkdirSync(dir, { recursive: true });
    copyFileSync(
      join(root, "test/integration/fixtures/playbooks-broken/broken.yaml"),
      join(dir, "broken.yaml"),
    );
    writeFileSync(join(dir, "syntax.yaml"), "id: syntax\ntitle: [unclosed\n");
    const ran = await cli(["validate", "--playbooks", dir, "--inventory", lab.inventoryPath]);
    expect(ran.code).toBe(1);
    expect(ran.stdout.trim().split("\n")).toEqual([
      `${dir}/broken.yaml: phases.immediate[1].run: unknown variable "upstream_port" (declared: log)`,
      `${dir}/broken.yaml: phases.immediate[2].run: placeholder {{ log }} is inside quotes: values are quoted for you, remove the quotes`,
      expect.stringMatching(/\/syntax\.yaml: line \d+, column \d+: Flow sequence/),
    ]);
  });
});
