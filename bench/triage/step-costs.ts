import { readFileSync } from "node:fs";
import { Client } from "ssh2";
import type { Lab } from "../../test/lab/lab";
import { median } from "../fanout/measure";

/**
 * What each step costs the host: its command run on N hosts at once (as a fan-out runs it), each
 * under a small Python wrapper on the host that times `sh -c COMMAND` and reads the CPU of that
 * process tree from getrusage(RUSAGE_CHILDREN) (microseconds, unlike the 10 ms ticks of /proc).
 * Output goes to a pipe the wrapper reads, never /dev/null (grep stops at the first match there).
 * The wrapper's own start-up and the SSH channel are outside the figures: they are the step's
 * command alone, which is what a playbook author can make cheaper.
 */
export interface StepCost {
  stepId: string;
  hosts: number;
  cpuMs: number;
  wallMs: number;
}

const WRAPPER = [
  "import resource, subprocess, sys, time",
  "t = time.monotonic()",
  "subprocess.run(['sh', '-c', sys.argv[1]], stdin=subprocess.DEVNULL, capture_output=True)",
  "w = time.monotonic() - t",
  "r = resource.getrusage(resource.RUSAGE_CHILDREN)",
  "print(int((r.ru_utime + r.ru_stime) * 1e6), int(w * 1e6))",
].join("\n");

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

export async function measureStepCosts(
  lab: Lab,
  plans: { host: string; steps: { stepId: string; command: string }[] }[],
  sizes: readonly number[],
  runs: number,
): Promise<StepCost[]> {
  const clients = await Promise.all(
    lab.hosts.slice(0, Math.max(...sizes)).map((h) => open(lab, h.address)),
  );
  try {
    const costs: StepCost[] = [];
    for (const { stepId } of plans[0]?.steps ?? []) {
      for (const size of sizes) {
        const cpu: number[] = [];
        const wall: number[] = [];
        for (let run = 0; run <= runs; run++) {
          const samples = await Promise.all(
            clients.slice(0, size).map((client, i) => {
              const command = plans[i]?.steps.find((s) => s.stepId === stepId)?.command ?? "true";
              return exec(client, `/usr/bin/python3 -c ${quote(WRAPPER)} ${quote(command)}`);
            }),
          );
          if (run === 0) continue; // warm-up
          for (const sample of samples) {
            cpu.push(sample.cpuUs / 1000);
            wall.push(sample.wallUs / 1000);
          }
        }
        costs.push({ stepId, hosts: size, cpuMs: median(cpu), wallMs: median(wall) });
      }
    }
    return costs;
  } finally {
    for (const client of clients) client.end();
  }
}

function open(lab: Lab, address: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on("ready", () => resolve(client))
      .on("error", reject)
      .connect({
        host: address,
        port: 22,
        username: "root",
        privateKey: readFileSync(lab.privateKeyPath),
        algorithms: { kex: ["curve25519-sha256"] },
      });
  });
}

function exec(client: Client, command: string): Promise<{ cpuUs: number; wallUs: number }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let out = "";
      stream.on("data", (chunk: Buffer) => (out += chunk.toString()));
      stream.stderr.on("data", () => undefined);
      stream.on("close", () => {
        const [cpu, wall] = out.trim().split(/\s+/).map(Number);
        resolve({ cpuUs: cpu ?? NaN, wallUs: wall ?? NaN });
      });
    });
  });
}
