import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SshExecutor } from "../../src/adapters/ssh/ssh-executor";
import { runPlaybook } from "../../src/engine/host-steps";
import { Playbook } from "../../src/domain/playbook";
import { RemoteError, type CommandOutcome, type HostTarget } from "../../src/ports/remote-executor";
import { freePort } from "../support/free-port";
import { up, type Lab } from "../lab/lab";

let lab: Lab;
let scratch: string;
const executor = new SshExecutor();
const connectOptions = { timeoutMs: 10_000 };

function target(name: string, overrides: Partial<HostTarget> = {}): HostTarget {
  return {
    name,
    address: lab.host(name).address,
    port: 22,
    user: "root",
    privateKeyPath: lab.privateKeyPath,
    knownHostsPath: lab.knownHostsPath,
    ...overrides,
  };
}

function freshKey(name: string): { privateKeyPath: string; publicKey: string } {
  const path = join(scratch, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]);
  return { privateKeyPath: path, publicKey: readFileSync(`${path}.pub`, "utf8").trim() };
}

async function connectError(t: HostTarget): Promise<RemoteError> {
  const error = await executor.connect(t, connectOptions).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof RemoteError))
    throw new Error(`expected a RemoteError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "incident-bot-ssh-"));
  lab = await up(2);
}, 120_000);

afterAll(async () => {
  await lab?.down();
  rmSync(scratch, { recursive: true, force: true });
});

describe("SSH executor against the lab", () => {
  it("connects with the key, verifies the host key and runs commands over one connection", async () => {
    const session = await executor.connect(target("proxy-1"), connectOptions);
    try {
      const first = await session.run({
        command: "echo hi; echo oops >&2",
        timeoutMs: 5000,
        maxOutputBytes: 1000,
      });
      const second = await session.run({
        command: "exit 3",
        timeoutMs: 5000,
        maxOutputBytes: 1000,
      });
      expect(first).toMatchObject({
        exitCode: 0,
        stdout: "hi\n",
        stderr: "oops\n",
        timedOut: false,
      });
      expect(second.exitCode).toBe(3);
    } finally {
      await session.close();
    }
  });

  it("refuses a host whose key differs from known_hosts and says what to do", async () => {
    const other = freshKey("other-host-key");
    const knownHosts = join(scratch, "wrong_known_hosts");
    const [type, blob] = other.publicKey.split(" ");
    writeFileSync(knownHosts, `${lab.host("proxy-1").address} ${type} ${blob}\n`);
    const error = await connectError(target("proxy-1", { knownHostsPath: knownHosts }));
    expect(error.code).toBe("host-key-mismatch");
    expect(error.message).toMatch(/CHANGED/);
    expect(error.retryable).toBe(false);
  });

  it("refuses a host that is not in known_hosts", async () => {
    const knownHosts = join(scratch, "empty_known_hosts");
    writeFileSync(knownHosts, "");
    const error = await connectError(target("proxy-1", { knownHostsPath: knownHosts }));
    expect(error.code).toBe("host-key-unknown");
    expect(error.message).toMatch(/ssh-keyscan/);
  });

  it("reports a key the host does not accept as an auth error", async () => {
    const stranger = freshKey("stranger");
    const error = await connectError(
      target("proxy-1", { privateKeyPath: stranger.privateKeyPath }),
    );
    expect(error.code).toBe("auth");
  });

  it("ends a command that outlives its timeout on the host itself", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 100}.5`;
    const session = await executor.connect(target("proxy-1"), connectOptions);
    try {
      const outcome = await session.run({
        command: `sleep ${marker}; echo late`,
        timeoutMs: 1000,
        maxOutputBytes: 1000,
      });
      expect(outcome).toMatchObject({ timedOut: true, exitCode: 124 });
      expect(outcome.stdout).toBe("");
    } finally {
      await session.close();
    }
    const check = await executor.connect(target("proxy-1"), connectOptions);
    try {
      const ps = await check.run({
        command: "ps -eo args",
        timeoutMs: 5000,
        maxOutputBytes: 1_000_000,
      });
      expect(ps.stdout).not.toContain(`sleep ${marker}`);
    } finally {
      await check.close();
    }
  });

  it("caps huge output with a visible marker", async () => {
    const session = await executor.connect(target("proxy-2"), connectOptions);
    try {
      const outcome = await session.run({
        command: "head -c 3000000 /dev/zero | tr '\\000' a",
        timeoutMs: 20_000,
        maxOutputBytes: 1000,
      });
      expect(outcome.truncated).toBe(true);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.stdout.startsWith("a".repeat(1000))).toBe(true);
      expect(outcome.stdout).toContain(
        "…[output truncated after 1000 bytes; 2999000 more bytes dropped]",
      );
    } finally {
      await session.close();
    }
  });

  it("runs a batch through one channel: each command with its own timeout, exit code and caps", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 100}.5`;
    const session = await executor.connect(target("proxy-1"), connectOptions);
    const seen: string[] = [];
    const outcomes: CommandOutcome[] = [];
    try {
      if (!session.runBatch) throw new Error("the SSH session should run batches");
      await session.runBatch(
        [
          { command: "echo out; echo err >&2; exit 3", timeoutMs: 5000, maxOutputBytes: 100 },
          { command: `sleep ${marker}; echo late`, timeoutMs: 1000, maxOutputBytes: 100 },
          {
            command: "head -c 3000000 /dev/zero | tr '\\000' a",
            timeoutMs: 20_000,
            maxOutputBytes: 1000,
          },
          { command: "cat; printf 'it'\\''s'", timeoutMs: 5000, maxOutputBytes: 100 },
        ],
        {
          started: (index) => seen.push(`started ${index}`),
          finished: (index, outcome) => {
            seen.push(`finished ${index}`);
            outcomes[index] = outcome;
          },
        },
      );
    } finally {
      await session.close();
    }
    expect(seen).toEqual([0, 1, 2, 3].flatMap((i) => [`started ${i}`, `finished ${i}`]));
    expect(outcomes[0]).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    expect(outcomes[1]).toMatchObject({ timedOut: true, exitCode: 124, stdout: "" });
    expect(outcomes[2]?.truncated).toBe(true);
    expect(outcomes[2]?.stdout).toBe(
      `${"a".repeat(1000)}\n…[output truncated after 1000 bytes; 2999000 more bytes dropped]\n`,
    );
    // stdin is empty for every command, and quotes reach sh intact.
    expect(outcomes[3]).toMatchObject({ exitCode: 0, stdout: "it's", timedOut: false });
    const check = await executor.connect(target("proxy-1"), connectOptions);
    try {
      const ps = await check.run({ command: "ps -eo args", timeoutMs: 5000, maxOutputBytes: 1e6 });
      expect(ps.stdout).not.toContain(`sleep ${marker}`);
    } finally {
      await check.close();
    }
  });

  it("tells a command's own status 124 from its timeout", async () => {
    const session = await executor.connect(target("proxy-2"), connectOptions);
    const outcomes: CommandOutcome[] = [];
    try {
      if (!session.runBatch) throw new Error("the SSH session should run batches");
      await session.runBatch(
        [
          { command: "exit 124", timeoutMs: 10_000, maxOutputBytes: 100 },
          { command: "sleep 5", timeoutMs: 500, maxOutputBytes: 100 },
        ],
        { started: () => undefined, finished: (index, outcome) => (outcomes[index] = outcome) },
      );
    } finally {
      await session.close();
    }
    expect(outcomes.map((o) => [o.exitCode, o.timedOut])).toEqual([
      [124, false],
      [124, true],
    ]);
  });

  it("still ends a batch's command at its deadline when the connection drops under it", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 100}.5`;
    const session = await executor.connect(target("proxy-2"), connectOptions);
    if (!session.runBatch) throw new Error("the SSH session should run batches");
    const dropped = session
      .runBatch(
        [
          { command: `sleep ${marker} & sleep ${marker}`, timeoutMs: 1000, maxOutputBytes: 100 },
          { command: `sleep ${marker}`, timeoutMs: 1000, maxOutputBytes: 100 },
        ],
        // sshd sends the driver no signal for a session without a terminal: it finds out at
        // its next write, after the command's deadline, which it keeps itself.
        { started: () => void session.close(), finished: () => undefined },
      )
      .catch((error: unknown) => error);
    expect(await dropped).toBeInstanceOf(RemoteError);
    const left = (): string => execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    for (let waited = 0; left().includes(`sleep ${marker}`) && waited < 10_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(left()).not.toContain(`sleep ${marker}`);
  });

  it("gives an unreachable host error steps while the other hosts go on", async () => {
    const playbook = Playbook.parse({
      id: "probe",
      title: "Probe",
      description: "Two commands",
      phases: {
        immediate: [
          { id: "uptime", title: "Uptime", kind: "diagnostic", run: "cat /proc/uptime" },
          { id: "hostname", title: "Name", kind: "diagnostic", run: "echo ok" },
        ],
      },
    });
    const closedPort = await freePort();
    const hosts = [
      { name: "proxy-1", kind: "apache" as const, target: target("proxy-1"), vars: {} },
      {
        name: "gone",
        kind: "apache" as const,
        target: target("proxy-2", { name: "gone", address: "127.0.0.1", port: closedPort }),
        vars: {},
      },
      { name: "proxy-2", kind: "apache" as const, target: target("proxy-2"), vars: {} },
    ];
    const report = await runPlaybook(
      { executor, nowMs: () => Date.now() },
      { playbook, phase: "immediate", hosts },
    );
    expect(report.hosts.map((h) => h.steps.map((s) => s.status))).toEqual([
      ["ok", "ok"],
      ["error", "error"],
      ["ok", "ok"],
    ]);
    expect(report.hosts[1]?.steps[0]?.reason).toMatch(
      /^cannot reach host: .*ECONNREFUSED.*\[unreachable\]/,
    );
  });
});
