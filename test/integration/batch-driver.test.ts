import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import {
  FrameParser,
  buildDriver,
  type DriverChoice,
  type FramedResult,
} from "../../src/adapters/ssh/batch-driver";
import type { CommandRequest } from "../../src/ports/remote-executor";

// Both drivers run here as they would on a host: `sh -c SCRIPT`, real perl, real `timeout` (the
// sh driver's; the perl driver keeps the time itself).

const nonce = "00112233445566778899aabbccddeeff";

interface DriverRun {
  raw: Buffer;
  results: FramedResult[];
  error: string | null;
  /** The driver's own exit status (128 + signal if a signal ended it). */
  exitCode: number | null;
  elapsedMs: number;
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Changes the script before it runs, as a host with other files would see it. */
  edit?: (script: string) => string;
  /** Called when the driver says a command started, with the driver's process. */
  onStarted?: (index: number, driver: ChildProcess) => void;
}

function runDriver(
  requests: CommandRequest[],
  choice: DriverChoice,
  { env = process.env, edit = (script) => script, onStarted }: RunOptions = {},
): Promise<DriverRun> {
  const script = edit(buildDriver(requests, nonce, choice));
  const results: FramedResult[] = [];
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], { env, stdio: ["pipe", "pipe", "inherit"] });
    const parser = new FrameParser(
      nonce,
      requests.map((request) => request.maxOutputBytes),
      {
        started: (index) => onStarted?.(index, child),
        finished: (result) => results.push(result),
      },
    );
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      parser.push(chunk);
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        raw: Buffer.concat(chunks),
        results,
        error: parser.error,
        exitCode: signal ? 128 + constants.signals[signal] : code,
        elapsedMs: Date.now() - startedAt,
      }),
    );
    // Like the SSH channel: the driver's own stdin is open but never written.
    child.stdin.end();
  });
}

/** A number no other test's `sleep` uses, to find the command's processes by. */
const uniqueSeconds = (): string => `${Math.floor(Math.random() * 1e6) + 100}.25`;

/** The processes still running `sleep SECONDS` (a zombie's arguments are gone). */
function sleepsLeft(seconds: string): string[] {
  const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((args) => args.includes(`sleep ${seconds}`));
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

/** Prints the names of the command's parent and grandparent: what runs it. */
const runners = `p=$PPID; for _ in 1 2; do printf '%s ' "$(ps -o comm= -p $p)"; p=$(ps -o ppid= -p $p | tr -d ' '); done`;

/** The perl driver runs `sh -c` itself; the sh driver runs it under `timeout`. */
const runnersOf: Record<string, string> = { perl: "perl ", sh: "timeout sh " };

describe.each<[string, DriverChoice]>([
  ["perl", "auto"],
  ["sh", "sh"],
])("the %s batch driver on a real shell", (name, choice) => {
  it(`is the one that runs (${name})`, async () => {
    const run = await runDriver([request(runners)], choice);
    expect(run.results[0]?.stdout.startsWith(runnersOf[name] ?? "?")).toBe(true);
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
    const seconds = uniqueSeconds();
    const run = await runDriver(
      [request(`sleep ${seconds} & sleep ${seconds}; echo late`, 500), request("echo next")],
      choice,
    );
    expect(run.results.map((r) => [r.exitCode, r.stdout])).toEqual([
      [124, ""],
      [0, "next\n"],
    ]);
    expect(sleepsLeft(seconds)).toEqual([]);
  });

  it("keeps a fractional timeout: half a second ends a five-second sleep", async () => {
    const run = await runDriver([request("sleep 5", 500)], choice);
    expect(run.results.map((r) => r.exitCode)).toEqual([124]);
    // Neither cut to nothing nor run to the sleep's end (generous bounds either way).
    expect(run.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(run.elapsedMs).toBeLessThan(4000);
  });

  it("KILLs a command that ignores TERM once the grace is over, with status 137", async () => {
    const seconds = uniqueSeconds();
    const run = await runDriver(
      [request(`trap "" TERM; sleep ${seconds}`, 300), request("echo next")],
      choice,
    );
    expect(run.results.map((r) => [r.exitCode, r.stdout])).toEqual([
      [137, ""],
      [0, "next\n"],
    ]);
    expect(sleepsLeft(seconds)).toEqual([]);
  });

  it("keeps a command's own status 124 when it ends before its deadline", async () => {
    const run = await runDriver([request("echo own; exit 124", 10_000)], choice);
    expect(run.results.map((r) => [r.exitCode, r.stdout])).toEqual([[124, "own\n"]]);
  });

  it("ends the running command when it is told to stop, and leaves nothing of it", async () => {
    const seconds = uniqueSeconds();
    // The sh driver's shell runs its TERM trap only once the command is over, which `timeout`
    // sees to. The perl driver ends the command at once: its timeout is past any test's.
    const timeoutMs = name === "perl" ? 600_000 : 1000;
    const run = await runDriver(
      [request(`sleep ${seconds} & sleep ${seconds}`, timeoutMs), request("echo never")],
      choice,
      { onStarted: (_index, driver) => driver.kill("SIGTERM") },
    );
    expect(run.exitCode).toBe(143);
    expect(run.results).toEqual([]);
    expect(sleepsLeft(seconds)).toEqual([]);
  }, 20_000);

  it("passes bytes through untouched and gives every command an empty stdin", async () => {
    const run = await runDriver(
      [request("printf 'a\\000b\\377\\n'; cat; echo end", 5000, 100)],
      choice,
      // A perl told to decode and encode UTF-8 everywhere must still pass bytes as they are.
      { env: { ...process.env, PERL_UNICODE: "SDA" } },
    );
    const frame = Buffer.concat([
      Buffer.from(`${nonce} R 0 0 9 0 0 0\n`),
      Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0a]),
      Buffer.from("end\n"),
    ]);
    expect(run.raw.includes(frame)).toBe(true);
  });
});

describe("the perl batch driver's own timeouts", () => {
  it("KILLs what is left of a command's group after the grace, even what holds its output", async () => {
    const seconds = uniqueSeconds();
    // `timeout` would return once `sh` died and leave the TERM-proof child holding the pipe.
    const run = await runDriver(
      [request(`(trap "" TERM; sleep ${seconds}) & sleep ${seconds}`, 300)],
      "auto",
    );
    expect(run.results.map((r) => r.exitCode)).toEqual([137]);
    expect(sleepsLeft(seconds)).toEqual([]);
  });

  it("keeps time with POSIX where there is no /proc/uptime", async () => {
    const seconds = uniqueSeconds();
    const run = await runDriver(
      [request("sleep 5", 500), request(`trap "" TERM; sleep ${seconds}`, 300), request("exit 3")],
      "auto",
      { edit: (script) => script.replace("/proc/uptime", "/proc/no-such-uptime") },
    );
    expect(run.results.map((r) => r.exitCode)).toEqual([124, 137, 3]);
    expect(sleepsLeft(seconds)).toEqual([]);
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
      const run = await runDriver([request(runners)], "auto", { env });
      expect(run.results[0]).toMatchObject({ exitCode: 0, stdout: runnersOf.sh });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("needs no coreutils timeout on a host with perl", async () => {
    const dir = mkdtempSync(join(tmpdir(), "driver-path-"));
    try {
      const env = { ...process.env, PATH: pathWith(dir, ["sh", "perl", "sleep"]) };
      const commands = [request("echo one"), request("sleep 5", 300), request("echo two")];
      const run = await runDriver(commands, "auto", { env });
      expect(run.results.map((r) => [r.exitCode, r.stdout, r.stderr])).toEqual([
        [0, "one\n", ""],
        [124, "", ""],
        [0, "two\n", ""],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says so when a host has neither perl nor timeout, and goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "driver-path-"));
    try {
      const tools = SH_DRIVER_TOOLS.filter((tool) => tool !== "timeout");
      const env = { ...process.env, PATH: pathWith(dir, tools) };
      const run = await runDriver([request("echo one"), request("echo two")], "auto", { env });
      expect(run.results.map((r) => [r.exitCode, r.stderr])).toEqual([
        [127, expect.stringContaining("timeout: not found")],
        [127, expect.stringContaining("timeout: not found")],
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
