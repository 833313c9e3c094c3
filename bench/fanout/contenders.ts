import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Lab } from "../../test/lab/lab";

/** One way of running the same per-host commands on N lab hosts, as a command line to time. */
export interface Contender {
  name: string;
  /** The Debian package it needs, installed by the bench when missing. */
  needs?: { command: string; pkg: string };
  command(
    hosts: HostEntry[],
    script: string,
    workDir: string,
  ): { argv: string[]; env?: NodeJS.ProcessEnv };
}

export interface HostEntry {
  name: string;
  address: string;
}

const root = resolve(__dirname, "../../..");

/** OpenSSH client options as an operator would use them with the lab's key and known_hosts. */
export function sshOptions(lab: Lab): string[] {
  return [
    "-i",
    lab.privateKeyPath,
    "-o",
    `UserKnownHostsFile=${lab.knownHostsPath}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "KexAlgorithms=curve25519-sha256",
  ];
}

/**
 * The bot over a fleet: one `run` of each kind's playbook over that kind's hosts, the kinds'
 * processes side by side (as an incident runs one run per kind), timed until the last one ends.
 */
function botCommand(lab: Lab, kinds: ReadonlyMap<string, string>, hosts: HostEntry[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const host of hosts) {
    const kind = kinds.get(host.name) ?? "apache";
    byKind.set(kind, [...(byKind.get(kind) ?? []), host.name]);
  }
  const runs = [...byKind].map(([kind, names]) => [
    process.execPath,
    join(root, "bin", "incident-bot.js"),
    "run",
    `${kind}-502`,
    "--json",
    "--inventory",
    lab.inventoryPath,
    "--playbooks",
    join(root, "playbooks"),
    "--hosts",
    names.join(","),
  ]);
  if (runs.length === 1) return runs[0] ?? [];
  const script = runs.map((argv) => `${argv.map(shq).join(" ")} >/dev/null &`).join("\n");
  return [
    "sh",
    "-c",
    `${script}\nfail=0; for p in $(jobs -p); do wait "$p" || fail=1; done; exit $fail`,
  ];
}

export function contenders(lab: Lab, kinds: ReadonlyMap<string, string> = new Map()): Contender[] {
  const opts = sshOptions(lab);
  return [
    {
      name: "incident-bot run --json",
      command: (hosts) => ({ argv: botCommand(lab, kinds, hosts) }),
    },
    {
      name: "ssh loop (sequential)",
      command: (hosts, script, workDir) => {
        const file = join(workDir, "ssh-loop.sh");
        const lines = hosts.map(
          (h) =>
            `ssh ${opts.map(shq).join(" ")} root@${h.address} ${shq(script)} >/dev/null || true`,
        );
        writeFileSync(file, `${lines.join("\n")}\n`);
        return { argv: ["sh", file] };
      },
    },
    {
      name: "parallel-ssh -p N",
      needs: { command: "parallel-ssh", pkg: "pssh" },
      command: (hosts, script, workDir) => {
        const file = join(workDir, "pssh-hosts");
        writeFileSync(file, hosts.map((h) => `root@${h.address}`).join("\n") + "\n");
        return {
          argv: [
            "parallel-ssh",
            "-p",
            String(hosts.length),
            "-t",
            "60",
            "-h",
            file,
            ...opts.flatMap((o) => ["-x", o]),
            script,
          ],
        };
      },
    },
    {
      name: "ansible -m shell -f N",
      needs: { command: "ansible", pkg: "ansible" },
      command: (hosts, script, workDir) => {
        const file = join(workDir, "ansible-hosts.ini");
        const vars = [
          "ansible_user=root",
          `ansible_ssh_private_key_file=${lab.privateKeyPath}`,
          `ansible_ssh_common_args='-o UserKnownHostsFile=${lab.knownHostsPath} -o KexAlgorithms=curve25519-sha256'`,
          "ansible_python_interpreter=/usr/bin/python3",
        ];
        const lines = [
          "[lab]",
          ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
          "[lab:vars]",
          ...vars,
        ];
        writeFileSync(file, `${lines.join("\n")}\n`);
        return {
          argv: [
            "ansible",
            "lab",
            "-i",
            file,
            "-m",
            "shell",
            "-a",
            script,
            "-f",
            String(hosts.length),
          ],
          env: {
            ...process.env,
            ANSIBLE_HOST_KEY_CHECKING: "True",
            ANSIBLE_NOCOLOR: "1",
            ANSIBLE_LOCAL_TEMP: join(workDir, "ansible-tmp"),
          },
        };
      },
    },
  ];
}

function shq(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
