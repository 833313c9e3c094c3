import { readFileSync } from "node:fs";
import { Client } from "ssh2";
import { runBatchOnChannel } from "../../src/adapters/ssh/batch-channel";
import { SshExecutor } from "../../src/adapters/ssh/ssh-executor";
import { CLIENT_GRACE_MS, batchDeadlineMs } from "../../src/adapters/ssh/timing";
import { runPlaybook } from "../../src/engine/host-steps";
import { Playbook } from "../../src/domain/playbook";
import type { CommandOutcome, CommandRequest } from "../../src/ports/remote-executor";
import { FakeSshd, type HostChannel } from "../fakes/fake-sshd";

// A host that lies, floods, trickles and never closes, behind a real SSH server (ssh2's own).
// Whatever it does, the batch must end by its own deadline with a reason, the event loop must
// keep running, and the client must hold no more than the caps allow.

const CAP = 64 * 1024;
const MiB = 1024 * 1024;
const requests: CommandRequest[] = [
  { command: "echo one", timeoutMs: 1000, maxOutputBytes: CAP },
  { command: "echo two", timeoutMs: 1000, maxOutputBytes: CAP },
];
/** Safety net only: the code's own deadline, plus room for a loaded machine. */
const AT_MOST_MS = batchDeadlineMs(requests) + 10_000;

let sshd: FakeSshd;

beforeAll(async () => {
  sshd = new FakeSshd();
  await sshd.start();
});

afterAll(async () => {
  await sshd.stop();
});

/** How often a 50 ms timer fired while the batch ran, and the longest it had to wait. */
class LoopWatch {
  ticks = 0;
  longestGapMs = 0;
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.longestGapMs = Math.max(this.longestGapMs, now - this.last);
    this.last = now;
    this.ticks += 1;
  }, 50);

  stop(): void {
    clearInterval(this.timer);
  }
}

async function connect(): Promise<Client> {
  const target = sshd.target();
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once("ready", resolve).once("error", reject);
    client.connect({
      host: target.address,
      port: target.port,
      username: target.user,
      privateKey: readFileSync(target.privateKeyPath),
    });
  });
  return client;
}

interface BatchEnd {
  error: Error | null;
  events: string[];
  outcomes: CommandOutcome[];
  elapsedMs: number;
  peakBuffered: number;
  loop: LoopWatch;
  closed: boolean;
}

/** Runs the two requests as a batch against the fake host's current behaviour. */
async function batchAgainstHost(): Promise<BatchEnd> {
  const client = await connect();
  let closed = false;
  client.on("close", () => {
    closed = true;
  });
  client.on("error", () => undefined);
  const events: string[] = [];
  const outcomes: CommandOutcome[] = [];
  let peakBuffered = 0;
  const loop = new LoopWatch();
  const started = performance.now();
  const error = await runBatchOnChannel(
    client,
    sshd.target(),
    requests,
    {
      started: (index) => events.push(`started ${index}`),
      finished: (index, outcome) => {
        events.push(`finished ${index}`);
        outcomes[index] = outcome;
      },
    },
    { buffered: (bytes) => (peakBuffered = Math.max(peakBuffered, bytes)) },
  ).then(
    () => null,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  const elapsedMs = performance.now() - started;
  loop.stop();
  // Give the socket a moment to report its end, then make sure nothing is left open.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const end = { error, events, outcomes, elapsedMs, peakBuffered, loop, closed };
  client.destroy();
  return end;
}

/** Writes `total` bytes as fast as the client takes them. */
async function flood(channel: HostChannel, total: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!channel.write(chunk)) await channel.drained();
  }
}

function frame(nonce: string | null, text: string): string {
  return `${nonce ?? "no-nonce"} ${text}\n`;
}

describe("a hostile host against the batch channel", () => {
  it("refuses a header announcing more than the cap before buffering its body (then 40 MiB)", async () => {
    sshd.behaviour = (channel, nonce) => {
      channel.write(frame(nonce, "S 0"));
      channel.write(frame(nonce, `R 0 0 ${40 * MiB} 0 0 0`));
      void flood(channel, 40 * MiB);
    };
    const end = await batchAgainstHost();
    expect(end.error?.message).toMatch(
      `hostile-1: its batch output broke the framing: command 1 announced ${40 * MiB} bytes of output, over its cap of ${CAP}; the connection was closed`,
    );
    expect(end.events).toEqual(["started 0"]);
    expect(end.peakBuffered).toBeLessThanOrEqual(2 * CAP + 64 * 1024);
    expect(end.elapsedMs).toBeLessThan(AT_MOST_MS);
    expect(end.closed).toBe(true);
  });

  it.each([
    ["a negative size", "R 0 0 -1 0 0 0", /unexpected driver output/],
    ["a garbage size", "R 0 0 0x10 0 0 0", /unexpected driver output/],
    ["a size past any integer", `R 0 0 ${"9".repeat(30)} 0 0 0`, /unexpected driver output/],
    ["a second start of the same command", "S 0", /start of command 1 out of order/],
  ])("refuses %s in a header and closes the connection", async (_name, line, reason) => {
    sshd.behaviour = (channel, nonce) => {
      channel.write(frame(nonce, "S 0"));
      channel.write(frame(nonce, line));
    };
    const end = await batchAgainstHost();
    expect(end.error?.message).toMatch(reason);
    expect(end.closed).toBe(true);
    expect(end.elapsedMs).toBeLessThan(AT_MOST_MS);
  });

  it("stops reading a flood that is not framed, holding no more than a header's worth", async () => {
    sshd.behaviour = (channel) => void flood(channel, 40 * MiB);
    const end = await batchAgainstHost();
    expect(end.error?.message).toMatch(/driver output is not framed/);
    expect(end.peakBuffered).toBeLessThanOrEqual(64 * 1024 + 256);
  });

  it("gives up on a command whose result trickles in a byte every 100 ms, never closed", async () => {
    sshd.behaviour = (channel, nonce) => {
      channel.write(frame(nonce, "S 0"));
      channel.write(frame(nonce, `R 0 0 ${CAP} 0 0 0`));
      channel.every(100, () => channel.write("a"));
    };
    const end = await batchAgainstHost();
    expect(end.error?.message).toBe(
      `hostile-1: command 1 of the batch gave no result ${CLIENT_GRACE_MS / 1000}s after its 1s timeout; the connection was closed`,
    );
    expect(end.events).toEqual(["started 0"]);
    expect(end.elapsedMs).toBeLessThan(AT_MOST_MS);
    // The loop kept running all along (a generous bound: this is no speed test).
    expect(end.loop.ticks).toBeGreaterThan(10);
    expect(end.loop.longestGapMs).toBeLessThan(2000);
    expect(end.closed).toBe(true);
  });

  it("does not let start frames extend a command's time: each command starts once", async () => {
    sshd.behaviour = (channel, nonce) => {
      channel.every(500, () => channel.write(frame(nonce, "S 0")));
    };
    const end = await batchAgainstHost();
    expect(end.error?.message).toMatch(/start of command 1 out of order/);
    expect(end.events).toEqual(["started 0"]);
  });

  it("ends the batch at its one deadline when the host stalls between commands", async () => {
    sshd.behaviour = (channel, nonce) => {
      channel.write(frame(nonce, "S 0"));
      channel.write(frame(nonce, "R 0 0 0 0 0 0"));
      // Keeps the channel busy without ever starting the next command.
      channel.every(1000, () => channel.write(""));
    };
    const end = await batchAgainstHost();
    const deadline = batchDeadlineMs(requests) / 1000;
    expect(end.error?.message).toBe(
      `hostile-1: the batch passed its deadline of ${deadline}s; the connection was closed`,
    );
    expect(end.events).toEqual(["started 0", "finished 0"]);
    expect(end.elapsedMs).toBeLessThan(AT_MOST_MS);
    expect(end.closed).toBe(true);
  });

  it("keeps every result of a host that never closes the channel after the last one", async () => {
    sshd.behaviour = (channel, nonce) => {
      channel.write(frame(nonce, "S 0"));
      channel.write(frame(nonce, "R 0 3 4 0 0 0") + "one\n");
      channel.write(frame(nonce, "S 1"));
      channel.write(frame(nonce, "R 1 0 4 0 0 0") + "two\n");
    };
    const end = await batchAgainstHost();
    expect(end.error).toBeNull();
    expect(end.events).toEqual(["started 0", "finished 0", "started 1", "finished 1"]);
    expect(end.outcomes.map((o) => [o.exitCode, o.stdout])).toEqual([
      [3, "one\n"],
      [0, "two\n"],
    ]);
    expect(end.elapsedMs).toBeLessThan(AT_MOST_MS);
    expect(end.closed).toBe(true);
  });
});

describe("a hostile host against the SSH executor and the engine", () => {
  const executor = new SshExecutor();

  it("gives up on a single command that never ends and never closes, without waiting for it", async () => {
    sshd.behaviour = (channel) => channel.every(100, () => channel.write("."));
    const session = await executor.connect(sshd.target(), { timeoutMs: 10_000 });
    const loop = new LoopWatch();
    try {
      const error = await session
        .run({ command: "sleep 1000", timeoutMs: 1000, maxOutputBytes: CAP })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(String(error)).toContain(
        `hostile-1: the command gave no result ${CLIENT_GRACE_MS / 1000}s after its 1s timeout; the connection was closed`,
      );
      expect(loop.ticks).toBeGreaterThan(10);
    } finally {
      loop.stop();
      await session.close();
    }
  });

  it("fails the step with the reason and runs the next one alone", async () => {
    sshd.behaviour = (channel, nonce) => {
      if (nonce === null) {
        // A step run alone: an honest answer.
        channel.write("alone\n");
        channel.exit(0);
        return;
      }
      channel.write(frame(nonce, "S 0"));
      channel.write(frame(nonce, `R 0 0 ${CAP + 1} 0 0 0`));
      void flood(channel, 10 * MiB);
    };
    const playbook = Playbook.parse({
      id: "probe",
      title: "Probe",
      description: "Two commands",
      phases: {
        immediate: [
          { id: "first", title: "First", kind: "diagnostic", run: "echo one", timeout: "1s" },
          { id: "second", title: "Second", kind: "diagnostic", run: "echo two", timeout: "1s" },
        ],
      },
    });
    const report = await runPlaybook(
      { executor, nowMs: () => Date.now() },
      {
        playbook,
        phase: "immediate",
        hosts: [{ name: "hostile-1", kind: "apache", target: sshd.target(), vars: {} }],
      },
    );
    const [first, second] = report.hosts[0]?.steps ?? [];
    expect(first?.status).toBe("error");
    expect(first?.reason).toContain(
      `its batch output broke the framing: command 1 announced ${CAP + 1} bytes of output, over its cap of ${CAP}`,
    );
    expect(second).toMatchObject({ status: "ok", output: "alone\n" });
  });
});
