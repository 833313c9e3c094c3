import { closeSync, openSync, writeSync } from "node:fs";

/**
 * A realistic Apache 2.4 error log for a busy reverse proxy, in the lab's own line format (shapes
 * copied from test/fixtures/apache/*.error.log, which were captured from the lab's Apache): mostly
 * mod_ssl info noise to the backend, an occasional timeout or bad header, the hourly logrotate
 * reload, and, in the newest `incidentMinutes`, the refused-upstream pairs (AH00957 + AH01114) of
 * an upstream that stopped. One line every `intervalMs`, timestamps ending now, in this machine's
 * local time as Apache writes them. After `fill`, `catchUp` keeps appending lines at the same rate
 * with the current time, the way a live Apache would, so a window ending "now" always holds the
 * same number of lines however long the measurement takes.
 */
export interface LogShape {
  /** Milliseconds between two lines (100: 600 lines a minute). */
  intervalMs: number;
  /** The newest minutes hold the incident's proxy errors. */
  incidentMinutes: number;
}

export const DEFAULT_SHAPE: LogShape = { intervalMs: 100, incidentMinutes: 45 };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const CHUNK_BYTES = 16 * 1024 * 1024;

/** mulberry32: a small seeded PRNG, so every run writes the same mixture. */
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

/** The end of the local hour that holds `ms`. */
function hourEnd(ms: number): number {
  const d = new Date(ms);
  d.setMinutes(60, 0, 0);
  return d.getTime();
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export class ErrorLogWriter {
  private readonly random = prng(502);
  /** Time of the next line (ms since the epoch). */
  private next = 0;
  /** When the current local hour ends (ms): the hourly reload is due then. */
  private hourEnds = 0;
  private secondKey = -1;
  private secondText = "";
  private yearText = "";
  private incidentFrom = 0;
  /** Times (ms) of the warn-or-worse lines written, oldest first: the step's ground truth. */
  readonly warnTimes: number[] = [];
  bytes = 0;
  lines = 0;

  constructor(
    readonly path: string,
    readonly shape: LogShape = DEFAULT_SHAPE,
  ) {}

  /** Truncates the file and writes about `targetBytes` of history ending now. */
  fill(targetBytes: number): void {
    const now = Date.now();
    const averageLine = this.averageLineBytes();
    const count = Math.floor(targetBytes / averageLine);
    this.next = now - count * this.shape.intervalMs;
    this.incidentFrom = now - this.shape.incidentMinutes * 60_000;
    this.warnTimes.length = 0;
    this.bytes = 0;
    this.lines = 0;
    this.hourEnds = hourEnd(this.next);
    const fd = openSync(this.path, "w");
    try {
      this.writeUntil(fd, now);
    } finally {
      closeSync(fd);
    }
  }

  /** Appends the lines due since the last call (a live log keeps growing). */
  catchUp(): void {
    const fd = openSync(this.path, "a");
    try {
      this.writeUntil(fd, Date.now());
    } finally {
      closeSync(fd);
    }
  }

  /** Warn-or-worse lines newer than `minutes` ago, at the one-second resolution of the step. */
  warnLinesWithin(minutes: number, now = Date.now()): number {
    const cut = Math.floor((now - minutes * 60_000) / 1000) * 1000;
    let n = 0;
    for (let i = this.warnTimes.length - 1; i >= 0 && (this.warnTimes[i] ?? 0) >= cut; i--) n++;
    return n;
  }

  private averageLineBytes(): number {
    const sample = new ErrorLogWriter(this.path, this.shape);
    sample.next = Date.UTC(2026, 0, 1);
    sample.incidentFrom = sample.next + 5_000 * this.shape.intervalMs;
    let bytes = 0;
    for (let i = 0; i < 10_000; i++) bytes += Buffer.byteLength(sample.event().join(""));
    return bytes / sample.lines;
  }

  /** Lines go straight into one big buffer (kept strings would make the GC the bottleneck). */
  private writeUntil(fd: number, until: number): void {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    while (this.next <= until) {
      for (const line of this.event()) {
        if (used + line.length * 3 > CHUNK_BYTES) {
          this.bytes += writeSync(fd, buffer, 0, used);
          used = 0;
        }
        used += buffer.write(line, used);
      }
    }
    if (used > 0) this.bytes += writeSync(fd, buffer, 0, used);
  }

  /** One event's lines (one or two; four for the hourly reload), each taking one interval. */
  private event(): string[] {
    const r = this.random();
    if (this.next >= this.hourEnds) {
      this.hourEnds = hourEnd(this.next);
      return this.reload();
    }
    const pid = 31000 + Math.floor(this.random() * 4) * 37;
    const ids = `[pid ${pid}:tid ${pid + 2 + Math.floor(this.random() * 25)}]`;
    const client = `[client 10.20.${Math.floor(this.random() * 8)}.${1 + Math.floor(this.random() * 250)}:${32768 + Math.floor(this.random() * 28000)}]`;
    const child = Math.floor(this.random() * 400);
    if (this.next >= this.incidentFrom && r < 0.03) {
      return [
        this.line(
          "proxy:error",
          `${ids} (111)Connection refused: AH00957: http: attempt to connect to 127.0.3.1:9000 (upstream.proxy-1.lab:9000) failed`,
          true,
        ),
        this.line(
          "proxy_http:error",
          `${ids} ${client} AH01114: HTTP: failed to make connection to backend: upstream.proxy-1.lab`,
          true,
        ),
      ];
    }
    const s = this.random();
    if (s < 0.005) {
      return [
        this.line(
          "proxy_http:error",
          `${ids} (70007)The timeout specified has expired: ${client} AH01102: error reading status line from remote server upstream.proxy-1.lab:9000`,
          true,
        ),
        this.line(
          "proxy:error",
          `${ids} ${client} AH00898: Error reading from remote server returned by /api/`,
          true,
        ),
      ];
    }
    if (s < 0.007) {
      return [
        this.line(
          "proxy_http:warn",
          `${ids} ${client} AH01106: bad HTTP/1.1 header returned by /api/ (GET)`,
          true,
        ),
      ];
    }
    if (s < 0.009) {
      return [
        this.line(
          "ssl:info",
          `${ids} SSL Library Error: error:0A00010B:SSL routines::wrong version number`,
          false,
        ),
      ];
    }
    if (s < 0.5) {
      return [
        this.line(
          "ssl:info",
          `${ids} [remote 127.0.3.1:9000] AH01964: Connection to child ${child} established (server proxy-1:80)`,
          false,
        ),
      ];
    }
    return [
      this.line(
        "ssl:info",
        `${ids} [remote 127.0.3.1:9000] AH01998: Connection closed to child ${child} with standard shutdown (server proxy-1:80)`,
        false,
      ),
    ];
  }

  private reload(): string[] {
    const ids = "[pid 31000:tid 31000]";
    return [
      this.line("mpm_event:notice", `${ids} AH00493: SIGUSR1 received.  Doing graceful restart`),
      this.line(
        "ssl:warn",
        `${ids} AH01882: Init: this version of mod_ssl was compiled against a newer library (OpenSSL 3.0.22 25 Aug 2026 (OpenSSL 3.0.19 27 Jan 2026), version currently loaded is 0x30000130) - may result in undefined or erroneous behavior`,
        true,
      ),
      this.line(
        "mpm_event:notice",
        `${ids} AH00489: Apache/2.4.71 (Debian) OpenSSL/3.0.19 configured -- resuming normal operations`,
      ),
      this.line("core:notice", `${ids} AH00094: Command line: '/usr/sbin/apache2'`),
    ];
  }

  /** `[Sun Nov 22 22:35:46.389181 2026] [module:level] rest` and the clock moves one interval. */
  private line(moduleLevel: string, rest: string, warnOrWorse = false): string {
    const at = this.next;
    this.next += this.shape.intervalMs;
    this.lines += 1;
    if (warnOrWorse) this.warnTimes.push(at);
    const second = Math.floor(at / 1000);
    if (second !== this.secondKey) {
      const d = new Date(second * 1000);
      this.secondKey = second;
      this.secondText = `[${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      this.yearText = ` ${d.getFullYear()}]`;
    }
    const micros = String((at % 1000) * 1000 + Math.floor(this.random() * 1000)).padStart(6, "0");
    return `${this.secondText}.${micros}${this.yearText} [${moduleLevel}] ${rest}\n`;
  }
}
