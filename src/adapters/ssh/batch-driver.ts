import { shellQuote } from "../../domain/template";
import type { CommandRequest } from "../../ports/remote-executor";
import { capText } from "./output-cap";

/** Seconds the host waits after TERM before KILL (`timeout`, or the perl driver itself). */
export const KILL_AFTER_SECONDS = 2;

const TIMEOUT = `timeout --signal=TERM --kill-after=${KILL_AFTER_SECONDS}s`;

/**
 * The host ends the command itself when its time is up (TERM, then KILL `KILL_AFTER_SECONDS`
 * later, to the whole process group `timeout` leads), so nothing lingers after a disconnect.
 */
export function timeoutPrefix(timeoutMs: number): string {
  const seconds = Math.max(timeoutMs, 1) / 1000;
  return `${TIMEOUT} ${seconds}s`;
}

/** Which driver the host runs: perl where the host has it (fewer processes), else POSIX sh. */
export type DriverChoice = "auto" | "sh";

/**
 * Runs several commands in order through ONE exec channel: a channel per command costs the host
 * an sshd session, a login shell and PAM work each time (≈55 ms on the lab), which dominated a
 * fan-out. Each command still gets its own timeout, its own exit code and its own cap per
 * stream (the first CAP bytes are kept, the rest is read and only counted, so the command runs to
 * its end as it would alone). Framing on the channel:
 *   NONCE S INDEX\n                                          the command starts
 *   NONCE R INDEX EXIT KEPT_OUT DROPPED_OUT KEPT_ERR DROPPED_ERR\n, then KEPT_OUT + KEPT_ERR bytes
 * Step output never reaches the channel unframed, so it cannot forge a marker; the nonce catches
 * a driver that lost its place. Commands reach the driver as single-quoted words.
 *
 * Two implementations speak this framing. Where `perl` is on the host (always on Debian and
 * Ubuntu: perl-base is essential), one perl process keeps the time and does the capping and
 * counting itself, so a command costs the host one process (`sh -c`). Elsewhere the POSIX sh
 * driver needs about ten per command (`timeout`, subshells, `head` and `wc` per stream, `cat`):
 * ≈7 ms more host CPU per step, which on an incident-stricken proxy is worth saving. Both are
 * tested to write the same bytes for the same commands.
 */
export function buildDriver(
  requests: readonly CommandRequest[],
  nonce: string,
  choice: DriverChoice = "auto",
): string {
  const args = requests.map((request, index) => {
    const seconds = `${Math.max(request.timeoutMs, 1) / 1000}s`;
    const cap = Math.max(0, Math.floor(request.maxOutputBytes));
    return `${index} ${seconds} ${cap} ${shellQuote(request.command)}`;
  });
  return [
    `n=${nonce}`,
    `set -- ${args.join(" ")}`,
    ...(choice === "auto"
      ? [
          `if command -v perl >/dev/null 2>&1; then exec perl -e ${shellQuote(PERL_DRIVER)} "$n" "$@"; fi`,
        ]
      : []),
    ...SH_DRIVER,
    `while [ $# -ge 4 ]; do s "$1" "$2" "$3" "$4"; shift 4; done`,
  ].join("\n");
}

/**
 * Arguments: NONCE, then INDEX SECONDS CAP COMMAND per command. Core perl only, so perl-base is
 * enough. binmode keeps every handle raw whatever PERL_UNICODE says; the pipes are close-on-exec,
 * so the command holds only its own ends. Exit codes follow sh: 128 + signal.
 *
 * The driver keeps each command's time itself, so a command costs one process (`sh -c`), not
 * `timeout` as well, and ends it as `timeout` would: the command leads its own process group; at
 * the deadline the group gets TERM (and CONT, for a stopped member), and if anything of it still
 * runs `KILL_AFTER_SECONDS` later, KILL; the status is then 124, or 137 if KILL was needed. A
 * command that ends by itself keeps its own status, and what it left running is left, as with
 * `timeout`. Told to stop (HUP, PIPE, TERM: the channel is gone) the driver ends the running
 * command's group the same way before it exits.
 *
 * Perl-base has no Time::HiRes: waits are select's fractional timeouts, and the clock is
 * /proc/uptime (10 ms), read without loading a module (and WNOHANG is Linux's 1): loading POSIX
 * costs ≈8 ms of host CPU per batch, what `timeout` cost for several steps, so POSIX::times is
 * only the fallback where there is no /proc. SIGCHLD interrupts a wait; a child that closed its pipes before it ended, or
 * the rest of its group after TERM, is polled from 1 ms, backing off to 0.1 s. A zombie that no
 * one reaps (an init that does not) is not running. A signal that reaches the child before it
 * has dropped the driver's handlers runs one that only exits (the child's $pid is 0), or is lost
 * and the KILL after the grace ends the command instead.
 */
const PERL_DRIVER = `
use strict; binmode STDOUT; $| = 1; my $n = shift; my $grace = ${KILL_AFTER_SECONDS};
my ($pid, $status, $stopping, $tick, $nohang) = (0, undef, 0, 0, 1);
open my $up, "<:raw", "/proc/uptime" or do {
  require POSIX; ($tick, $nohang) = (POSIX::sysconf(POSIX::_SC_CLK_TCK()), POSIX::WNOHANG());
};
sub now {
  return (POSIX::times())[0] / $tick if $tick;
  sysseek $up, 0, 0; sysread $up, my $u, 64; (split " ", $u)[0];
}
sub nap { select undef, undef, undef, $_[0] }
sub reap { $status = $? if !defined $status && waitpid($pid, $nohang) == $pid }
sub left {
  reap(); kill 0, -$pid or return 0; opendir my $d, "/proc" or return 1;
  for (readdir $d) {
    next unless /^[0-9]+$/ && open my $f, "<", "/proc/$_/stat";
    my ($state, undef, $group) = split " ", (<$f> // "") =~ s/^.*\\) //sr;
    return 1 if $group && $group == $pid && $state !~ /[ZX]/;
  }
  0;
}
sub stop {
  return if $stopping++;
  if ($pid) {
    setpgrp $pid, $pid; kill "TERM", -$pid; kill "CONT", -$pid;
    my $end = now() + $grace; nap(0.05) while now() < $end && left();
    kill "KILL", -$pid;
  }
  exit shift;
}
$SIG{HUP} = sub { stop(129) }; $SIG{PIPE} = sub { stop(141) }; $SIG{TERM} = sub { stop(143) };
$SIG{CHLD} = sub {};
while (@ARGV >= 4) {
  my ($i, $t, $cap, $cmd) = splice @ARGV, 0, 4;
  print "$n S $i\\n";
  pipe(my $or, my $ow) && pipe(my $er, my $ew) or exit 125;
  my $due = now() + ($t =~ s/s$//r); $status = undef; $pid = fork; defined $pid or exit 125;
  if (!$pid) {
    $SIG{$_} = "DEFAULT" for qw(HUP PIPE TERM CHLD);
    setpgrp 0, 0; open STDIN, "<", "/dev/null"; open STDOUT, ">&", $ow; open STDERR, ">&", $ew;
    exec "sh", "-c", $cmd; print STDERR "cannot run sh: $!\\n"; exit 127;
  }
  setpgrp $pid, $pid; close $ow; close $ew;
  my @s = ([$or, "", 0], [$er, "", 0]); my @open = @s;
  binmode $_->[0] for @s;
  # stage 0: running; 1: TERM sent, $due is when KILL is; 2: past that.
  my ($stage, $killed, $poll) = (0, 0, 0.001);
  while (1) {
    reap();
    last unless @open || !defined $status || $stage == 1 && left();
    my $now = now();
    if ($stage < 2 && $now >= $due) {
      if ($stage++) { $killed = left() && kill "KILL", -$pid }
      else { kill "TERM", -$pid; kill "CONT", -$pid; $due = $now + $grace }
      next;
    }
    my $wait = $stage < 2 ? $due - $now : undef;
    if (!@open) { $wait = $poll if !defined $wait || $wait > $poll; $poll *= 2 if $poll < 0.1 }
    my $rout = ""; vec($rout, fileno $_->[0], 1) = 1 for @open;
    if (select($rout, undef, undef, $wait) < 0) { next if $!{EINTR}; stop(125) }
    for my $x (@open) {
      next unless vec($rout, fileno $x->[0], 1);
      my $got = sysread $x->[0], my $c, 65536;
      next if !defined $got && $!{EINTR};
      if (!$got) { close $x->[0]; $x->[3] = 1; next }
      my $room = $cap - length $x->[1]; $room = $got if $room > $got; $room = 0 if $room < 0;
      $x->[1] .= substr $c, 0, $room; $x->[2] += $got - $room;
    }
    @open = grep { !$_->[3] } @open;
  }
  $pid = 0;
  my $code = $stage ? ($killed ? 137 : 124) : $status & 127 ? 128 + ($status & 127) : $status >> 8;
  print "$n R $i $code ", length $s[0][1], " $s[0][2] ", length $s[1][1], " $s[1][2]\\n", $s[0][1], $s[1][1];
}
`.trim();

/**
 * The POSIX sh driver: stdout and stderr go to files in a private temp dir through `head -c CAP`
 * (GNU head never reads past CAP on a pipe, so `wc -c` counts exactly what was dropped and no
 * more than CAP bytes per stream are kept or sent).
 */
const SH_DRIVER = [
  `d=$(mktemp -d) || exit 125`,
  `trap 'rm -rf "$d"' EXIT`,
  // Signals must go through `exit` so the EXIT trap removes the temp dir.
  `trap 'exit 129' HUP; trap 'exit 141' PIPE; trap 'exit 143' TERM`,
  `s() {`,
  `  printf '%s S %s\\n' "$n" "$1"`,
  // fd 4 carries the command's stdout past the stderr capper; 2>&1 1>&4 swaps the streams.
  `  { { ${TIMEOUT} "$2" sh -c "$4" </dev/null 2>&1 1>&4 4>&-; echo $? >"$d/x"; } |` +
    ` { head -c "$3" >"$d/e"; wc -c >"$d/ed"; }; } 4>&1 | { head -c "$3" >"$d/o"; wc -c >"$d/od"; }`,
  `  read x <"$d/x"; read od <"$d/od"; read ed <"$d/ed"`,
  `  wc -c "$d/o" "$d/e" >"$d/k"; { read ko _; read ke _; } <"$d/k"`,
  `  printf '%s R %s %s %s %s %s %s\\n' "$n" "$1" "$x" "$ko" "$od" "$ke" "$ed"`,
  `  cat "$d/o" "$d/e"`,
  `}`,
];

export interface FramedResult {
  index: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export interface FrameEvents {
  started(index: number): void;
  finished(result: FramedResult): void;
}

/** Longest header line we accept; anything longer means the stream is not ours. */
const MAX_HEADER = 256;
/** The highest status a process can report (sh: 128 + signal). */
const MAX_EXIT_CODE = 255;

/**
 * Parses the driver's stdout as it streams in and reports each command's start and result. The
 * host is not trusted to speak the framing: a line that is not a header with our nonce, a start
 * or result out of order, a size over the command's cap (the driver never keeps more), or bytes
 * after the last result is a protocol error: the parser stops, keeps nothing more and says why.
 * Input is kept as a list of chunks and each body is joined once, so a host's flood costs time
 * linear in its size and never more memory than one body (two caps) and one chunk.
 */
export class FrameParser {
  private readonly chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private peakBytes = 0;
  private body: { header: Header; need: number } | null = null;
  /** The command the host said it started and whose result is due; null between commands. */
  private running: number | null = null;
  private nextIndex = 0;
  private failure: string | null = null;

  constructor(
    private readonly nonce: string,
    private readonly caps: readonly number[],
    private readonly events: FrameEvents,
  ) {}

  get error(): string | null {
    return this.failure;
  }

  /** Every command's result has arrived. */
  get complete(): boolean {
    return this.nextIndex >= this.caps.length && this.running === null && this.body === null;
  }

  /** Bytes held while waiting for the rest of a header or body (and the most ever held). */
  get buffered(): { now: number; peak: number } {
    return { now: this.bufferedBytes, peak: this.peakBytes };
  }

  push(chunk: Buffer): void {
    if (this.failure || chunk.length === 0) return;
    if (this.complete) {
      this.fail("output after the last result");
      return;
    }
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.peakBytes = Math.max(this.peakBytes, this.bufferedBytes);
    while (!this.failure && this.step()) {
      // each step consumes one header or one body
    }
    if (this.complete && this.bufferedBytes > 0) this.fail("output after the last result");
  }

  private step(): boolean {
    if (this.body) {
      if (this.bufferedBytes < this.body.need) return false;
      const bytes = this.take(this.body.need);
      const { header } = this.body;
      this.body = null;
      this.running = null;
      const cap = this.caps[header.index] ?? 0;
      this.events.finished({
        index: header.index,
        exitCode: header.exitCode,
        stdout: capText(bytes.subarray(0, header.keptOut), cap, header.droppedOut),
        stderr: capText(bytes.subarray(header.keptOut), cap, header.droppedErr),
        truncated: header.droppedOut > 0 || header.droppedErr > 0,
      });
      return true;
    }
    const end = this.newlineWithin(MAX_HEADER + 1);
    if (end < 0) {
      if (this.bufferedBytes > MAX_HEADER) this.fail("driver output is not framed");
      return false;
    }
    const line = this.take(end + 1)
      .subarray(0, end)
      .toString("latin1");
    this.header(line);
    return true;
  }

  /** Where the first newline is among the first `limit` buffered bytes, or -1. */
  private newlineWithin(limit: number): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      const at = chunk.subarray(0, limit - offset).indexOf(0x0a);
      if (at >= 0) return offset + at;
      offset += chunk.length;
      if (offset >= limit) break;
    }
    return -1;
  }

  /** Removes the first `count` buffered bytes and returns them as one buffer. */
  private take(count: number): Buffer {
    const parts: Buffer[] = [];
    let missing = count;
    while (missing > 0) {
      const chunk = this.chunks[0];
      if (!chunk) break;
      if (chunk.length <= missing) {
        parts.push(chunk);
        this.chunks.shift();
        missing -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, missing));
        this.chunks[0] = chunk.subarray(missing);
        missing = 0;
      }
    }
    this.bufferedBytes -= count - missing;
    return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
  }

  private fail(reason: string): void {
    this.failure = reason;
    this.chunks.length = 0;
    this.bufferedBytes = 0;
  }

  private header(line: string): void {
    const fields = line.split(" ");
    const numbers = fields
      .slice(2)
      .map((field) => (/^[0-9]{1,15}$/.test(field) ? Number(field) : NaN));
    const index = numbers[0] ?? NaN;
    if (fields[0] !== this.nonce || !Number.isInteger(index) || numbers.some(Number.isNaN)) {
      this.fail(`unexpected driver output: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    if (fields[1] === "S" && numbers.length === 1) this.start(index);
    else if (fields[1] === "R" && numbers.length === 6) this.result(numbers);
    else this.fail(`unexpected driver output: ${JSON.stringify(line.slice(0, 80))}`);
  }

  private start(index: number): void {
    if (this.running !== null || index !== this.nextIndex || index >= this.caps.length) {
      this.fail(`a start of command ${index + 1} out of order (expected ${this.expected()})`);
      return;
    }
    this.running = index;
    this.nextIndex += 1;
    this.events.started(index);
  }

  private result(numbers: number[]): void {
    const [index = NaN, exitCode = NaN, keptOut = NaN, droppedOut = NaN] = numbers;
    const [, , , , keptErr = NaN, droppedErr = NaN] = numbers;
    if (index !== this.running) {
      this.fail(`a result of command ${index + 1} out of order (expected ${this.expected()})`);
      return;
    }
    if (exitCode > MAX_EXIT_CODE) {
      this.fail(`command ${index + 1} reported exit status ${exitCode}, over ${MAX_EXIT_CODE}`);
      return;
    }
    const cap = this.caps[index] ?? 0;
    if (keptOut > cap || keptErr > cap) {
      const size = Math.max(keptOut, keptErr);
      this.fail(`command ${index + 1} announced ${size} bytes of output, over its cap of ${cap}`);
      return;
    }
    const header = { index, exitCode, keptOut, droppedOut, keptErr, droppedErr };
    this.body = { header, need: keptOut + keptErr };
  }

  private expected(): string {
    if (this.running !== null) return `the result of command ${this.running + 1}`;
    return this.nextIndex < this.caps.length
      ? `the start of command ${this.nextIndex + 1}`
      : "nothing";
  }
}

interface Header {
  index: number;
  exitCode: number;
  keptOut: number;
  droppedOut: number;
  keptErr: number;
  droppedErr: number;
}
