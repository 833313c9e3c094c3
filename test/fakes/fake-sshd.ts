import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils, type ServerChannel } from "ssh2";
import type { HostTarget } from "../../src/ports/remote-executor";

/** What the host does with one exec request: `nonce` is the batch driver's, null for a single. */
export type HostBehaviour = (channel: HostChannel, nonce: string | null) => void;

/** The server side of one exec channel, with timers that die with the server. */
export interface HostChannel {
  write(data: string | Buffer): boolean;
  /** Calls `tick` every `ms` until the channel or the server is gone. */
  every(ms: number, tick: () => void): void;
  /** Ends the command normally: exit status, then CHANNEL_CLOSE. */
  exit(code: number): void;
  /** Resolves once the client has read what was written (the channel window drains). */
  drained(): Promise<void>;
}

/**
 * An sshd built with ssh2's server side that answers exec requests as the test tells it to:
 * frames that lie, floods, trickles, channels that are never closed. It accepts any public key,
 * and its host key is in the known_hosts file it writes, so the real SshExecutor connects to it
 * as to any host.
 */
export class FakeSshd {
  behaviour: HostBehaviour = (channel) => channel.exit(0);
  /** Exec requests seen, batch or single. */
  readonly commands: string[] = [];
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dir = mkdtempSync(join(tmpdir(), "incident-bot-fake-sshd-"));
  private port = 0;

  constructor() {
    const hostKey = utils.generateKeyPairSync("ed25519");
    this.hostPublicKey = hostKey.public;
    this.server = new Server({ hostKeys: [hostKey.private] }, (connection) => {
      connection.on("authentication", (context) =>
        context.method === "publickey" ? context.accept() : context.reject(["publickey"]),
      );
      connection.on("error", () => undefined);
      connection.on("ready", () => {
        connection.on("session", (acceptSession) => {
          acceptSession().on("exec", (acceptExec, _reject, info) => {
            this.commands.push(info.command);
            this.answer(acceptExec(), info.command);
          });
        });
      });
    });
  }

  private readonly hostPublicKey: string;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    const clientKey = utils.generateKeyPairSync("ed25519");
    writeFileSync(join(this.dir, "id_ed25519"), clientKey.private, { mode: 0o600 });
    writeFileSync(
      join(this.dir, "known_hosts"),
      `[127.0.0.1]:${this.port} ${this.hostPublicKey}\n`,
    );
  }

  target(): HostTarget {
    return {
      name: "hostile-1",
      address: "127.0.0.1",
      port: this.port,
      user: "root",
      privateKeyPath: join(this.dir, "id_ed25519"),
      knownHostsPath: join(this.dir, "known_hosts"),
    };
  }

  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearInterval(timer));
    this.timers.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private answer(stream: ServerChannel, command: string): void {
    const nonce = /\bn=([0-9a-f]{32})\n/.exec(command)?.[1] ?? null;
    const owned = new Set<NodeJS.Timeout>();
    const stopTimers = (): void => {
      owned.forEach((timer) => {
        clearInterval(timer);
        this.timers.delete(timer);
      });
    };
    stream.on("close", stopTimers);
    stream.on("error", stopTimers);
    // A client that goes away mid-write is the point of these tests, not a failure.
    stream.on("error", () => undefined);
    const channel: HostChannel = {
      write: (data) => (stream.writable ? stream.write(data) : false),
      every: (ms, tick) => {
        const timer = setInterval(() => {
          if (!stream.writable) stopTimers();
          else tick();
        }, ms);
        owned.add(timer);
        this.timers.add(timer);
      },
      exit: (code) => {
        stream.exit(code);
        stream.end();
      },
      drained: () =>
        new Promise((resolve) => {
          if (stream.writableNeedDrain) stream.once("drain", () => resolve());
          else resolve();
        }),
    };
    this.behaviour(channel, nonce);
  }
}
