import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The floor of the alert bench: a node:http server that reads each body, parses it as JSON and
 * answers 200 with a small JSON body, doing nothing else. Measured with the same sender in the
 * same run, it says what of the bot's figure is HTTP on this machine rather than the bot.
 * Prints its port on stdout; runs until killed.
 */
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    JSON.parse(Buffer.concat(chunks).toString("utf8"));
    response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(
      JSON.stringify({ status: "repeat", incidentId: "inc-20261203-0000-floor-abcdef" }),
    );
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
