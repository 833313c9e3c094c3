import type {
  CommandOutcome,
  CommandRequest,
  HostTarget,
  RemoteExecutor,
  RemoteSession,
} from "../../src/ports/remote-executor";
import { RemoteError } from "../../src/ports/remote-executor";

export type FakeReply = Partial<Omit<CommandOutcome, "durationMs">> | RemoteError;

/**
 * An in-memory RemoteExecutor: per host, either a connect error or a function answering each
 * command. Records every connection and command so tests can assert on what ran where.
 */
export class FakeRemoteExecutor implements RemoteExecutor {
  readonly connects: string[] = [];
  readonly commands: { host: string; command: string; timeoutMs: number }[] = [];
  readonly closed: string[] = [];
  private readonly unreachable = new Map<string, RemoteError>();
  private answer: (host: string, command: string) => FakeReply = () => ({ exitCode: 0 });

  failConnect(host: string, error: RemoteError): this {
    this.unreachable.set(host, error);
    return this;
  }

  reply(answer: (host: string, command: string) => FakeReply): this {
    this.answer = answer;
    return this;
  }

  async connect(target: HostTarget): Promise<RemoteSession> {
    this.connects.push(target.name);
    const failure = this.unreachable.get(target.name);
    if (failure) throw failure;
    return {
      run: async (request: CommandRequest) => this.run(target.name, request),
      close: async () => {
        this.closed.push(target.name);
      },
    };
  }

  private async run(host: string, request: CommandRequest): Promise<CommandOutcome> {
    this.commands.push({ host, command: request.command, timeoutMs: request.timeoutMs });
    const reply = this.answer(host, request.command);
    if (reply instanceof RemoteError) throw reply;
    return {
      exitCode: reply.exitCode === undefined ? 0 : reply.exitCode,
      stdout: reply.stdout ?? "",
      stderr: reply.stderr ?? "",
      truncated: reply.truncated ?? false,
      timedOut: reply.timedOut ?? false,
      durationMs: 1,
    };
  }
}
