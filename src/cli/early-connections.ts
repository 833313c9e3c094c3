import type { HostTarget, RemoteExecutor, RemoteSession } from "../ports/remote-executor";

/**
 * Opens the hosts' SSH connections while the command line is still loading the playbook: the
 * handshake is mostly waiting for the host, and loading and checking a playbook is mostly this
 * process's CPU, so on a one-host run the two overlap instead of adding up. The engine's
 * `connect` then takes the connection already under way; a host the run never asks for (bad
 * variables, a playbook that failed to load) has its connection closed by `closeUnused`.
 */
export class EarlyConnections implements RemoteExecutor {
  private readonly pending = new Map<string, Promise<RemoteSession>>();

  constructor(private readonly inner: RemoteExecutor) {}

  open(targets: readonly HostTarget[], timeoutMs: number): void {
    for (const target of targets) {
      const session = this.inner.connect(target, { timeoutMs });
      // Failures are the engine's to report when it asks for this host; none goes unhandled.
      session.catch(() => undefined);
      this.pending.set(keyOf(target), session);
    }
  }

  connect(target: HostTarget, options: { timeoutMs: number }): Promise<RemoteSession> {
    const key = keyOf(target);
    const early = this.pending.get(key);
    if (!early) return this.inner.connect(target, options);
    this.pending.delete(key);
    return early;
  }

  async closeUnused(): Promise<void> {
    const left = [...this.pending.values()];
    this.pending.clear();
    await Promise.all(left.map((session) => session.then((s) => s.close()).catch(() => undefined)));
  }
}

function keyOf(target: HostTarget): string {
  return `${target.user}@${target.address}:${target.port}/${target.name}`;
}
