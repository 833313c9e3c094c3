import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";

/**
 * A day of log history for one lab host, in the shapes the lab's real Apache writes (see
 * test/fixtures/apache/): an access log in the lab's combined-with-%D format and an error log of
 * mod_ssl info noise to the backend and the hourly graceful reload, with a rotated `.1` file of
 * each for the part of the day before the last rotation (logrotate's delaycompress leaves it
 * uncompressed), and old proxy errors: a burst of upstream timeouts six hours ago and refused
 * connections yesterday. Nothing falls inside the last hour, so a host's window holds only what
 * its real Apache writes during the run (a broken host's provoked errors).
 */
export interface DayShape {
  /** Bytes of access log over the day (both files). */
  accessBytes: number;
  /** Bytes of error log over the day (both files). */
  errorBytes: number;
  /** Hours before now of the nightly rotation: older lines go to the `.1` files. */
  rotatedHoursAgo: number;
}

export const DEFAULT_DAY: DayShape = {
  accessBytes: 4 * 1024 * 1024,
  errorBytes: 2 * 1024 * 1024,
  rotatedHoursAgo: 9,
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** History ends this long ago; what is newer is the real Apache's. */
const QUIET_MS = HOUR;
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const PATHS = [
  "/api/",
  "/api/orders",
  "/api/users/42",
  "/static/app.js",
  "/health",
  "/api/search?q=x",
];

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** mulberry32: seeded, so every run writes the same mixture. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function offset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

function accessLine(at: number, random: () => number, host: string): string {
  const d = new Date(at);
  const time = `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${offset(d)}`;
  const path = PATHS[Math.floor(random() * PATHS.length)] ?? "/";
  const r = random();
  const status = r < 0.002 ? 502 : r < 0.004 ? 404 : r < 0.01 ? 304 : 200;
  const bytes = status === 200 ? 180 + Math.floor(random() * 4000) : 0;
  const micros = 300 + Math.floor(random() * 20_000);
  const client = `10.20.${Math.floor(random() * 8)}.${1 + Math.floor(random() * 250)}`;
  return `${client} - - [${time}] "GET ${path} HTTP/1.1" ${status} ${bytes} "-" "client/${host}" ${micros}\n`;
}

function errorPrefix(at: number, random: () => number, moduleLevel: string): string {
  const d = new Date(at);
  const micros = pad((at % 1000) * 1000 + Math.floor(random() * 1000), 6);
  const pid = 31000 + Math.floor(random() * 4) * 37;
  return `[${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${micros} ${d.getFullYear()}] [${moduleLevel}] [pid ${pid}:tid ${pid + 2 + Math.floor(random() * 25)}]`;
}

/** One error-log event at `at`: noise, the hourly reload, or an old proxy error burst's pair. */
function errorLines(at: number, random: () => number, now: number, hostName: string): string {
  const ago = now - at;
  const client = `[client 10.20.${Math.floor(random() * 8)}.${1 + Math.floor(random() * 250)}:${32768 + Math.floor(random() * 28000)}]`;
  const upstream = `upstream.${hostName}.lab`;
  if (ago > 6 * HOUR && ago < 6 * HOUR + 20 * 60_000 && random() < 0.3) {
    return (
      `${errorPrefix(at, random, "proxy_http:error")} (70007)The timeout specified has expired: ${client} AH01102: error reading status line from remote server ${upstream}:9000\n` +
      `${errorPrefix(at, random, "proxy:error")} ${client} AH00898: Error reading from remote server returned by /api/\n`
    );
  }
  if (ago > 20 * HOUR && ago < 20 * HOUR + 10 * 60_000 && random() < 0.3) {
    return (
      `${errorPrefix(at, random, "proxy:error")} (111)Connection refused: AH00957: http: attempt to connect to 127.0.3.1:9000 (${upstream}:9000) failed\n` +
      `${errorPrefix(at, random, "proxy_http:error")} ${client} AH01114: HTTP: failed to make connection to backend: ${upstream}\n`
    );
  }
  const child = Math.floor(random() * 400);
  return random() < 0.5
    ? `${errorPrefix(at, random, "ssl:info")} [remote 127.0.3.1:9000] AH01964: Connection to child ${child} established (server ${hostName}:80)\n`
    : `${errorPrefix(at, random, "ssl:info")} [remote 127.0.3.1:9000] AH01998: Connection closed to child ${child} with standard shutdown (server ${hostName}:80)\n`;
}

function reloadLines(at: number, random: () => number): string {
  return [
    `${errorPrefix(at, random, "mpm_event:notice")} AH00493: SIGUSR1 received.  Doing graceful restart`,
    `${errorPrefix(at, random, "mpm_event:notice")} AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations`,
    `${errorPrefix(at, random, "core:notice")} AH00094: Command line: '/usr/sbin/apache2'\n`,
  ].join("\n");
}

/** Writes `bytes` of lines spread evenly over [from, to), oldest first, into two files split at `cut`. */
function writeSpread(
  files: { current: string; rotated: string },
  span: { from: number; to: number; cut: number },
  bytes: number,
  line: (at: number) => string,
): void {
  const sample = line(span.from);
  const count = Math.max(1, Math.floor(bytes / Buffer.byteLength(sample)));
  const step = (span.to - span.from) / count;
  const rotated = openSync(files.rotated, "w");
  // The current file was truncated in place, not replaced: Apache holds it open (O_APPEND) and
  // keeps appending to the same inode; appending here too, nobody overwrites the other's lines.
  const current = openSync(files.current, "a");
  try {
    let fd = rotated;
    let chunk: string[] = [];
    const flush = (): void => {
      if (chunk.length > 0) writeSync(fd, chunk.join(""));
      chunk = [];
    };
    for (let i = 0; i < count; i++) {
      const at = Math.floor(span.from + i * step);
      if (fd === rotated && at >= span.cut) {
        flush();
        fd = current;
      }
      chunk.push(line(at));
      if (chunk.length >= 4096) flush();
    }
    flush();
  } finally {
    closeSync(rotated);
    closeSync(current);
  }
}

/** Writes the day into a host's access and error logs (paths as seen from this machine). */
export function writeDayOfLogs(
  host: { name: string; accessLog: string; errorLog: string },
  shape: DayShape = DEFAULT_DAY,
  now = Date.now(),
): void {
  const span = { from: now - DAY, to: now - QUIET_MS, cut: now - shape.rotatedHoursAgo * HOUR };
  truncate(host.accessLog);
  truncate(host.errorLog);
  const accessRandom = prng(80 + host.name.length);
  writeSpread(
    { current: host.accessLog, rotated: `${host.accessLog}.1` },
    span,
    shape.accessBytes,
    (at) => accessLine(at, accessRandom, host.name),
  );
  const errorRandom = prng(502 + host.name.length);
  let nextReload = Math.ceil(span.from / HOUR) * HOUR;
  writeSpread(
    { current: host.errorLog, rotated: `${host.errorLog}.1` },
    span,
    shape.errorBytes,
    (at) => {
      if (at < nextReload) return errorLines(at, errorRandom, now, host.name);
      nextReload += HOUR;
      return reloadLines(at, errorRandom);
    },
  );
}

/** Empties the file through an open descriptor, keeping the inode Apache writes to. */
function truncate(path: string): void {
  const fd = openSync(path, "a");
  try {
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}
