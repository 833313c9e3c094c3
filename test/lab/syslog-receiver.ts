export const SYSLOG_SCRIPT = "syslog.js";
export const SYSLOG_PORT = 514;

/**
 * What rsyslog does on a Debian HAProxy host (/etc/rsyslog.d/49-haproxy.conf): receive HAProxy's
 * syslog datagrams and append them to /var/log/haproxy.log as `TIMESTAMP HOSTNAME TAG: MESSAGE`.
 * HAProxy can only log to syslog (UDP, a unix datagram socket) or to stdout/stderr, so each HAProxy
 * host runs this receiver on UDP ADDRESS:514 inside its namespace. Plain JavaScript: the lab also
 * runs uncompiled under ts-jest.
 */
export const SYSLOG_RECEIVER_SOURCE = `"use strict";
// The incident lab's syslog receiver: node syslog.js ADDRESS PORT FILE HOST_NAME
const dgram = require("node:dgram");
const fs = require("node:fs");

const [address, port, file, hostName] = process.argv.slice(2);
const socket = dgram.createSocket("udp4");
socket.on("message", (datagram) => {
  // RFC 3164 as HAProxy sends it: <PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE
  const text = datagram.toString("utf8").replace(/^<\\d+>/, "").replace(/\\n+$/, "");
  const match = /^([A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d) ([\\s\\S]*)$/.exec(text);
  const line = match ? match[1] + " " + hostName + " " + match[2] : text;
  fs.appendFileSync(file, line + "\\n");
});
socket.bind(Number(port), address, () => {
  console.log("syslog receiver of " + hostName + " on udp " + address + ":" + port + " -> " + file);
});
process.on("SIGTERM", () => process.exit(0));
`;
