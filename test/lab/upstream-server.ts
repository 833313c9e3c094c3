/**
 * How a host's upstream answers. The break modes use ok/hang/malformed/reset; the others are
 * variants the fixture capture records too, so the bot's rules see every shape Apache reports.
 */
export const UPSTREAM_BEHAVIOURS = [
  "ok",
  "hang",
  "malformed",
  "malformed-status",
  "reset",
  "reset-mid-headers",
  "reset-mid-body",
  "close",
  "huge-header",
  "status-only",
  "error-500",
] as const;
export type UpstreamBehaviour = (typeof UPSTREAM_BEHAVIOURS)[number];

/**
 * The upstream: a plain Node HTTP server, one process per host (so stopping it is real). It reads
 * its behaviour file on every request, so a break takes effect without a restart. It is written
 * into the lab dir as JavaScript because the lab also runs uncompiled under ts-jest.
 */
export const UPSTREAM_SERVER_SOURCE = `"use strict";
// The incident lab's upstream: node upstream.js ADDRESS PORT BEHAVIOUR_FILE HOST_NAME
const http = require("node:http");
const fs = require("node:fs");

const [address, port, behaviourFile, hostName] = process.argv.slice(2);

function behaviour() {
  try {
    return fs.readFileSync(behaviourFile, "utf8").trim() || "ok";
  } catch {
    return "ok";
  }
}

function later(fn) {
  setTimeout(fn, 20);
}

const server = http.createServer((req, res) => {
  const socket = req.socket;
  switch (behaviour()) {
    case "hang":
      return; // accepted and read, never answered: Apache's ProxyTimeout ends it
    case "malformed":
      socket.end("HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nthis line is not a header\\r\\n\\r\\n{}");
      return;
    case "malformed-status":
      socket.end("\\u0000\\u0001 not an HTTP status line\\r\\n\\r\\n");
      return;
    case "reset":
      socket.resetAndDestroy(); // RST after reading the request, before any answer
      return;
    case "reset-mid-headers":
      socket.write("HTTP/1.1 200 OK\\r\\nContent-Type: applica");
      later(() => socket.resetAndDestroy());
      return;
    case "reset-mid-body":
      socket.write("HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 64\\r\\n\\r\\n{\\"ok\\":");
      later(() => socket.resetAndDestroy());
      return;
    case "close":
      socket.end(); // FIN without an answer
      return;
    case "huge-header":
      // One header line longer than Apache's ResponseFieldSize (8190 bytes by default).
      socket.end("HTTP/1.1 200 OK\\r\\nX-Huge: " + "x".repeat(10000) + "\\r\\nContent-Length: 2\\r\\n\\r\\n{}");
      return;
    case "status-only":
      socket.end("HTTP/1.1 200 OK\\r\\n"); // a status line, then the connection ends
      return;
    case "error-500": {
      const body = JSON.stringify({ ok: false, host: hostName });
      res.writeHead(500, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    default: {
      const body = JSON.stringify({ ok: true, host: hostName, path: req.url });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    }
  }
});
// Longer than Apache keeps pooled backend connections idle, so healthy traffic never races a close.
server.keepAliveTimeout = 120000;
server.headersTimeout = 130000;
server.requestTimeout = 0;
server.on("clientError", (error, socket) => {
  // What any plain-HTTP server does with a TLS ClientHello: 400 and close.
  if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\\r\\nConnection: close\\r\\n\\r\\n");
  else socket.destroy();
});
server.listen(Number(port), address, () => {
  console.log(\`upstream of \${hostName} listening on \${address}:\${port}\`);
});
process.on("SIGTERM", () => process.exit(0));
`;
