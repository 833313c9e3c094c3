import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * The sender playing Alertmanager: one kept-alive HTTP/1.1 connection per delivery in flight,
 * each request written as prepared bytes and each answer read up to its status line and body
 * length, as load generators (wrk, autocannon) do. Alertmanager is a Go program whose sends cost
 * it next to nothing; node:http's client spends about a quarter of a millisecond per request,
 * and with 100 at once on the same two cores as the bot that was a fifth of the figure measured.
 */
export interface SentRequest {
  ms: number;
  status: number;
}

interface Connection {
  socket: Socket;
  buffered: Buffer;
  waiting: ((answer: { status: number }) => void) | null;
}

export class RawHttpSender {
  private readonly connections: Connection[] = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends every request at once, each on its own connection; resolves with each answer. */
  async burst(requests: readonly Buffer[]): Promise<SentRequest[]> {
    await this.open(requests.length);
    const answers = requests.map((bytes, i) => {
      const connection = this.connections[i] as Connection;
      return new Promise<SentRequest>((resolve) => {
        const started = performance.now();
        connection.waiting = ({ status }) => resolve({ ms: performance.now() - started, status });
        connection.socket.write(bytes);
      });
    });
    return Promise.all(answers);
  }

  close(): void {
    for (const connection of this.connections.splice(0)) connection.socket.destroy();
  }

  /** Opens connections until `count` are up (the server may have closed idle ones). */
  private async open(count: number): Promise<void> {
    for (let i = this.connections.length - 1; i >= 0; i -= 1) {
      if ((this.connections[i] as Connection).socket.destroyed) this.connections.splice(i, 1);
    }
    while (this.connections.length < count) this.connections.push(await this.connect());
  }

  private connect(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.port, this.host);
      socket.setNoDelay(true);
      const connection: Connection = { socket, buffered: Buffer.alloc(0), waiting: null };
      socket.on("data", (chunk: Buffer) => {
        connection.buffered = Buffer.concat([connection.buffered, chunk]);
        readAnswer(connection);
      });
      socket.once("connect", () => resolve(connection));
      socket.once("error", reject);
    });
  }
}

/** An answer is complete once its headers and its body (Content-Length, or chunked) are in. */
function readAnswer(connection: Connection): void {
  const end = connection.buffered.indexOf("\r\n\r\n");
  if (end < 0) return;
  const head = connection.buffered.subarray(0, end).toString("latin1");
  let size: number;
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = connection.buffered.indexOf("\r\n0\r\n\r\n", end);
    if (last < 0) return;
    size = last + 7;
  } else {
    size = end + 4 + Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (connection.buffered.length < size) return;
  }
  connection.buffered = connection.buffered.subarray(size);
  const status = Number(head.slice(9, 12));
  const waiting = connection.waiting;
  connection.waiting = null;
  waiting?.({ status });
}

/** The bytes of one POST with a JSON body. */
export function jsonPost(
  host: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Buffer {
  const lines = [
    `POST ${path} HTTP/1.1`,
    `Host: ${host}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}
