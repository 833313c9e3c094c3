import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

/**
 * Slack's side of Socket Mode, on the fake's own HTTP server: `apps.connections.open` hands out a
 * one-use `ws://…/socket-mode?ticket=N` URL, the socket is greeted with Slack's `hello`, and a
 * test pushes envelopes (a slash command, a button click) down it and gets the app's ack back,
 * as Slack would before it answers the user.
 */
export const SOCKET_MODE_PATH = "/socket-mode";

/** The envelope types the bot listens to (Events API envelopes are "events_api"). */
export type SocketEnvelopeType = "slash_commands" | "interactive";

/** What the app sends back for one envelope: its id, and the response payload when there is one. */
export interface SocketModeAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

/** One WebSocket an app opened, as the fake saw it. */
export interface FakeSocketConnection {
  ticket: string;
  openedAt: number;
  /** Set once `hello` went out: from then on the app counts itself connected. */
  helloSentAt: number | null;
  closedAt: number | null;
  /** The close code the fake saw (1000 when the app closed it normally). */
  closeCode: number | null;
  /** Every message the app sent, parsed. */
  received: unknown[];
}

/** Slack's greeting, as a real connection receives it. */
const HELLO = {
  type: "hello",
  num_connections: 1,
  debug_info: { host: "fake", build_number: 1, approximate_connection_time: 18060 },
  connection_info: { app_id: "A00000001" },
};

interface PendingAck {
  resolve: (ack: SocketModeAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class FakeSocketMode {
  readonly connections: FakeSocketConnection[] = [];
  private readonly sockets = new Map<FakeSocketConnection, WebSocket>();
  private readonly tickets = new Set<string>();
  private readonly pendingAcks = new Map<string, PendingAck>();
  private readonly server = new WebSocketServer({ noServer: true });
  private ticketSequence = 0;

  /** Takes over the HTTP server's upgrade requests; anything but a valid ticket is refused. */
  attach(httpServer: Server): void {
    httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? "/", "http://fake.local/");
      const ticket = url.searchParams.get("ticket") ?? "";
      if (url.pathname !== SOCKET_MODE_PATH || !this.tickets.delete(ticket)) {
        // Slack's URLs are single-use: a reconnect must call apps.connections.open again.
        socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      this.server.handleUpgrade(request, socket, head, (websocket) =>
        this.accept(websocket, ticket),
      );
    });
  }

  /** A fresh ticket for the URL apps.connections.open returns. */
  issueTicket(): string {
    this.ticketSequence += 1;
    const ticket = String(this.ticketSequence);
    this.tickets.add(ticket);
    return ticket;
  }

  /** Connections the app holds open now. */
  openConnections(): FakeSocketConnection[] {
    return this.connections.filter((connection) => connection.closedAt === null);
  }

  /**
   * Sends one envelope down the newest open socket, as Slack does for a command or a click, and
   * resolves with the app's ack. Slack waits 3 s before it tells the user the app did not answer;
   * the timeout here is longer, so a slow ack fails on its measured time, not on this.
   */
  sendEnvelope(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    timeoutMs = 10_000,
  ): Promise<SocketModeAck> {
    const connection = this.openConnections().at(-1);
    const websocket = connection ? this.sockets.get(connection) : undefined;
    if (!websocket) return Promise.reject(new Error("fake Slack: no open Socket Mode connection"));
    const envelopeId = randomUUID();
    const acked = new Promise<SocketModeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        reject(new Error(`fake Slack: no ack for ${type} envelope within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingAcks.set(envelopeId, { resolve, reject, timer });
    });
    websocket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: true,
        retry_attempt: 0,
        retry_reason: "",
      }),
    );
    return acked;
  }

  /** Closes every socket at once (no close handshake) and the WebSocket server. */
  async stop(): Promise<void> {
    for (const pending of this.pendingAcks.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error("fake Slack stopped before the ack"));
    }
    this.pendingAcks.clear();
    for (const websocket of this.sockets.values()) websocket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(websocket: WebSocket, ticket: string): void {
    const connection: FakeSocketConnection = {
      ticket,
      openedAt: Date.now(),
      helloSentAt: null,
      closedAt: null,
      closeCode: null,
      received: [],
    };
    this.connections.push(connection);
    this.sockets.set(connection, websocket);
    websocket.on("message", (data: RawData) => this.receive(connection, data));
    websocket.on("close", (code: number) => {
      connection.closedAt = Date.now();
      connection.closeCode = code;
      this.sockets.delete(connection);
    });
    websocket.send(JSON.stringify(HELLO), (error) => {
      if (!error) connection.helloSentAt = Date.now();
    });
  }

  private receive(connection: FakeSocketConnection, data: RawData): void {
    const message = parseMessage(data);
    connection.received.push(message);
    const ack = asAck(message);
    const pending = ack ? this.pendingAcks.get(ack.envelope_id) : undefined;
    if (!ack || !pending) return;
    clearTimeout(pending.timer);
    this.pendingAcks.delete(ack.envelope_id);
    pending.resolve(ack);
  }
}

function parseMessage(data: RawData): unknown {
  // A Buffer with ws's default binaryType; Buffer[] or ArrayBuffer only under the other settings.
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(new Uint8Array(data));
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return { unparsable: text, error: String(error) };
  }
}

function asAck(message: unknown): SocketModeAck | null {
  if (typeof message !== "object" || message === null) return null;
  const { envelope_id: envelopeId, payload } = message as Record<string, unknown>;
  if (typeof envelopeId !== "string") return null;
  const isObject = typeof payload === "object" && payload !== null && !Array.isArray(payload);
  return isObject
    ? { envelope_id: envelopeId, payload: payload as Record<string, unknown> }
    : { envelope_id: envelopeId };
}
