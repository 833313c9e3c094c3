import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FrameParser,
  buildDriver,
  type DriverChoice,
  type FramedResult,
} from "../../src/adapters/ssh/batch-driver";
import type { CommandRequest } from "../../src/ports/remote-executor";

// Both drivers run here as they would on a host: `sh -c SCRIPT`, real `timeout`, real perl.

const nonce = "00112233445566778899aabbccddeeff";

interface DriverRun {
  raw: Buffer;
  results: FramedResult[];
  error: string | null;
}

function runDriver(
  requests: CommandRequest[],
  choice: DriverChoice,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DriverRun> {
  const script = buildDriver(requests, nonce, choice);
  const results: FramedResult[] = [];
  const parser = new FrameParser(
    nonce,
    requests.map((request) => request.maxOutputBytes),
    { started: () => undefined, finished: (result) => results.push(result) },
  );
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], { env, stdio: ["pipe", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      parser.push(chunk);
    });
    child.on("error", reject);
    child.on("close", () => resolve({ raw: Buffer.concat(chunks), results, error: parser.error }));
    // Like the SSH channel: the driver's own stdin is open but never written.
    child.stdin.end();
  });
}

const SH_DRIVER_TOOLS = ["sh", "mktemp", "rm", "head", "wc", "cat", "timeout", "sleep", "ps", "tr"];

/** A PATH of links to just these tools, as on a host that lacks the others. */
function pathWith(dir: string, tools: readonly string[]): string {
  for (const tool of tools) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    symlinkSync(found.stdout.trim(), join(dir, tool));
  }
  return dir;
}

const request = (command: string, timeoutMs = 5000, maxOutputBytes = 1000): CommandRequest => ({
  command,
  timeoutMs,
  maxOutputBytes,
});

/** Prints the name of the process that runs `timeout` for this command: the driver. */
const driverName = "ps -o comm= -p \"$(ps -o ppid= -p $PPID | tr -d ' ')\"";

describe.each<[string, DriverChoice]>([
  ["perl", "auto"],
  ["sh", "sh"],
])("the %s batch driver on a real shell", (name, choice) => {
  it(`is the one that runs (${name})`, async () => {
    const run = await runDriver([request(driverName)], choice);
    expect(run.results[0]?.stdout.trim()).toBe(name);
  });

  it("keeps each command's exit code and streams apart, in order", async () => {
    const run = await runDriver(
      [
        request("echo out; echo err >&2; exit 3"),
        request("printf 'it'\\''s'"),
        request("kill -TERM $$"),
      ],
      choice,
    );
    expect(run.error).toBeNull();
    expect(run.results.map((r) => [r.index, r.exitCode, r.stdout, r.stderr])).toEqual([
      [0, 3, "out\n", "err\n"],
      [1, 0, "it's", ""],
      // Killed by a signal: 128 + its number, as sh reports it. The sh driver's own shell
      // also notes the signal on the command's stderr, as an interactive shell would.
      [2, 143, "", name === "sh" ? "Terminated\n" : ""],
    ]);
  });

  it("caps each stream, counts what it dropped and lets the command run to its end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "driver-cap-"));
    try {
      const done = join(dir, "done");
      const run = await runDriver(
        [
          request(
            `head -c 300000 /dev/zero | tr '\\000' a; head -c 5000 /dev/zero >&2; : > '${done}'`,
            10_000,
            1000,
          ),
        ],
        choice,
      );
      const [result] = run.results;
      expect(result?.exitCode).toBe(0);
      expect(result?.truncated).toBe(true);
      expect(result?.stdout).toBe(
        `${"a".repeat(1000)}\n…[output truncated after 1000 bytes; 299000 more bytes dropped]\n`,
      );
      expect(result?.stderr).toContain("4000 more bytes dropped");
      expect(spawnSync("test", ["-e", done]).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ends a command at its timeout, with its children, and goes on with the next", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 100}.25`;
    const run = await runDriver(
      [request(`sleep ${marker} & sleep ${marker}; echo late`, 500), request("echo next")],
      choice,
    );
    expect(run.results.map((r) => [r.exitCode, r.stdout])).toEqual([
      [124, ""],
      [0, "next\n"],
    ]);
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps.stdout).not.toContain(`sleep ${marker}`);
  });

  it("passes bytes through untouched and gives every command an empty stdin", async () => {
    const run = await runDriver(
      [request("printf 'a\\000b\\377\\n'; cat; echo end", 5000, 100)],
      choice,
      // A perl told to decode and encode UTF-8 everywhere must still pass bytes as they are.
      { ...process.env, PERL_UNICODE: "SDA" },
    );
    const frame = Buffer.concat([
      Buffer.from(`${nonce} R 0 0 9 0 0 0\n`),
      Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0a]),
      Buffer.from("end\n"),
    ]);
    expect(run.raw.includes(frame)).toBe(true);
  });
});

describe("the batch driver's choice", () => {
  const requests = [
    request("echo out; echo err >&2; exit 3"),
    request("head -c 300000 /dev/zero | tr '\\000' a", 10_000, 1000),
    request("printf 'x\\000y'; echo e >&2"),
    request("sleep 5; echo late", 300),
    request("true", 5000, 0),
  ];

  it("falls back to the sh driver on a host without perl", async () => {
    const dir = mkdtempSync(join(tmpdir(), "driver-path-"));
    try {
      const env = { ...process.env, PATH: pathWith(dir, SH_DRIVER_TOOLS) };
      const run = await runDriver([request(driverName)], "auto", env);
      expect(run.results[0]).toMatchObject({ exitCode: 0, stdout: "sh\n" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says so when a host has perl but no timeout, and goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "driver-path-"));
    try {
      const env = { ...process.env, PATH: pathWith(dir, ["sh", "perl"]) };
      const run = await runDriver([request("echo one"), request("echo two")], "auto", env);
      expect(run.results.map((r) => [r.exitCode, r.stderr])).toEqual([
        [127, expect.stringContaining("cannot run timeout")],
        [127, expect.stringContaining("cannot run timeout")],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes no difference to what reaches the channel", async () => {
    const [perl, sh] = await Promise.all([runDriver(requests, "auto"), runDriver(requests, "sh")]);
    expect(perl.error).toBeNull();
    expect(perl.results).toHaveLength(requests.length);
    expect(perl.raw.equals(sh.raw)).toBe(true);
  });
});
