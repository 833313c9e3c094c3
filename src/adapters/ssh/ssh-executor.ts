import { readFile } from "node:fs/promises";
import { NodeSSH } from "node-ssh";
import type { Config as NodeSshConfig } from "node-ssh";
import type { Client, ClientChannel, KexAlgorithm, ServerHostKeyAlgorithm } from "ssh2";
import { shellQuote } from "../../domain/template";
import type {
  BatchEvents,
  CommandOutcome,
  CommandRequest,
  HostTarget,
  RemoteExecutor,
  RemoteSession,
} from "../../ports/remote-executor";
import { RemoteError } from "../../ports/remote-executor";
import { closeHard, runBatchOnChannel } from "./batch-channel";
import { timeoutPrefix } from "./batch-driver";
import { knownKeyAlgorithms, parseKnownHosts, verifyHostKey } from "./known-hosts";
import { OutputCap } from "./output-cap";
import { CLIENT_GRACE_MS, isTimedOut } from "./timing";

/**
 * The RemoteExecutor over SSH (node-ssh for the connection, ssh2 channels for commands). Key auth
 * only; the host key is always checked against the target's known_hosts; curve25519 key exchange
 * first (the post-quantum hybrids cost the client noticeably more CPU for a fan-out).
 */
const preferredKex: KexAlgorithm[] = [
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group14-sha256",
];

export class SshExecutor implements RemoteExecutor {
  async connect(target: HostTarget, options: { timeoutMs: number }): Promise<RemoteSession> {
    const entries = parseKnownHosts(await readKnownHosts(target));
    const privateKey = await readPrivateKey(target);
    const hostKeyAlgorithms = knownKeyAlgorithms(entries, target.address, target.port);
    let refusal: RemoteError | null = null;
    const config: NodeSshConfig = {
      host: target.address,
      port: target.port,
      username: target.user,
      privateKey,
      tryKeyboard: false,
      readyTimeout: options.timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: {
        kex: preferredKex,
        ...(hostKeyAlgorithms.length > 0
          ? { serverHostKey: hostKeyAlgorithms as ServerHostKeyAlgorithm[] }
          : {}),
      },
      hostVerifier: (key: Buffer) => {
        const verdict = verifyHostKey(entries, target, key);
        if (!verdict.ok) refusal = new RemoteError(verdict.code, verdict.message, false);
        return verdict.ok;
      },
    };
    const ssh = new NodeSSH();
    try {
      await withDeadline(ssh.connect(config), options.timeoutMs + 1000);
    } catch (error) {
      ssh.dispose();
      throw refusal ?? connectError(target, error, options.timeoutMs);
    }
    const client = ssh.connection;
    if (!client) throw new RemoteError("disconnected", `${target.name}: connection closed`, true);
    return new SshSession(target, ssh, client);
  }
}

async function readKnownHosts(target: HostTarget): Promise<string> {
  try {
    return await readFile(target.knownHostsPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const message = `cannot read known_hosts ${target.knownHostsPath} (${code}); host keys are always verified, so ${target.name} is refused`;
    throw new RemoteError("host-key-unknown", message, false);
  }
}

async function readPrivateKey(target: HostTarget): Promise<string> {
  try {
    return await readFile(target.privateKeyPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new RemoteError(
      "auth",
      `cannot read private key ${target.privateKeyPath} (${code})`,
      false,
    );
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error("connect deadline"), { level: "client-timeout" })),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function connectError(target: HostTarget, error: unknown, timeoutMs: number): RemoteError {
  const where = `${target.user}@${target.address}:${target.port}`;
  const err = error as { level?: string; code?: string; message?: string };
  const detail = err.message ?? String(error);
  if (err.level === "client-authentication") {
    return new RemoteError(
      "auth",
      `${where} refused the key ${target.privateKeyPath} (publickey); is it in the user's authorized_keys?`,
      false,
    );
  }
  if (err.level === "client-timeout" || err.code === "ETIMEDOUT") {
    return new RemoteError(
      "timeout",
      `no SSH handshake with ${where} within ${timeoutMs / 1000}s`,
      true,
    );
  }
  if (err.level === "client-socket" || err.level === "client-dns" || err.code) {
    return new RemoteError("unreachable", `cannot connect to ${where}: ${detail}`, true);
  }
  return new RemoteError("unreachable", `SSH to ${where} failed: ${detail}`, true);
}

class SshSession implements RemoteSession {
  private broken: string | null = null;

  constructor(
    private readonly target: HostTarget,
    private readonly ssh: NodeSSH,
    private readonly client: Client,
  ) {
    // After `ready` node-ssh no longer listens for errors; without a listener one would crash.
    client.on("error", (error: Error) => {
      this.broken = error.message;
    });
    client.on("close", () => {
      this.broken ??= "connection closed";
    });
  }

  run(request: CommandRequest): Promise<CommandOutcome> {
    if (this.broken) {
      const message = `${this.target.name}: ${this.broken}`;
      return Promise.reject(new RemoteError("disconnected", message, true));
    }
    return new Promise((resolve, reject) => {
      this.client.exec(wrapWithTimeout(request), (error, channel) => {
        if (error) {
          reject(new RemoteError("disconnected", `${this.target.name}: ${error.message}`, true));
          return;
        }
        collect(channel, this.client, request, this.target).then(resolve, reject);
      });
    });
  }

  runBatch(requests: readonly CommandRequest[], events: BatchEvents): Promise<void> {
    if (this.broken) {
      const message = `${this.target.name}: ${this.broken}`;
      return Promise.reject(new RemoteError("disconnected", message, true));
    }
    return runBatchOnChannel(this.client, this.target, requests, events);
  }

  async close(): Promise<void> {
    this.ssh.dispose();
  }
}

/** One command under the host's own `timeout` (see timeoutPrefix). */
export function wrapWithTimeout(request: CommandRequest): string {
  return `${timeoutPrefix(request.timeoutMs)} sh -c ${shellQuote(request.command)}`;
}

/**
 * Reads one command's streams, each through its own cap. The host's `timeout` ends the command;
 * when no end comes CLIENT_GRACE_MS after that, the host is not waited for any longer: the
 * connection is torn down (closeHard: a polite close would wait for a CHANNEL_CLOSE that a
 * broken host never sends) and the command fails with that reason.
 */
function collect(
  channel: ClientChannel,
  client: Client,
  request: CommandRequest,
  target: HostTarget,
): Promise<CommandOutcome> {
  const started = performance.now();
  const stdout = new OutputCap(request.maxOutputBytes);
  const stderr = new OutputCap(request.maxOutputBytes);
  let exitCode: number | null = null;
  return new Promise((resolve, reject) => {
    const hardStop = setTimeout(() => {
      cleanup();
      closeHard(client, channel);
      const grace = CLIENT_GRACE_MS / 1000;
      const message = `${target.name}: the command gave no result ${grace}s after its ${request.timeoutMs / 1000}s timeout; the connection was closed`;
      reject(new RemoteError("timeout", message, false));
    }, request.timeoutMs + CLIENT_GRACE_MS);
    const onClientClose = (): void => {
      cleanup();
      reject(
        new RemoteError("disconnected", `${target.name}: connection lost during a command`, true),
      );
    };
    const cleanup = (): void => {
      clearTimeout(hardStop);
      client.removeListener("close", onClientClose);
      channel.removeListener("close", onChannelClose);
    };
    const onChannelClose = (): void => {
      cleanup();
      const durationMs = Math.round(performance.now() - started);
      const timedOut = isTimedOut({
        exitCode,
        durationMs,
        timeoutMs: request.timeoutMs,
      });
      resolve({
        exitCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
        durationMs,
      });
    };
    client.once("close", onClientClose);
    channel.on("data", (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    channel.on("exit", (code: number | null) => {
      exitCode = typeof code === "number" ? code : null;
    });
    channel.on("close", onChannelClose);
    // Nothing is ever sent on stdin: a command that reads it sees end-of-file, not a hang.
    channel.end();
  });
}
