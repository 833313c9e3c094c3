import {
  FrameParser,
  buildDriver,
  type FramedResult,
} from "../../../../src/adapters/ssh/batch-driver";

const nonce = "0123456789abcdef0123456789abcdef";

function parse(
  chunks: Buffer[],
  caps = [100, 100],
): { events: string[]; results: FramedResult[]; error: string | null } {
  const events: string[] = [];
  const results: FramedResult[] = [];
  const parser = new FrameParser(nonce, caps, {
    started: (index) => events.push(`started ${index}`),
    finished: (result) => {
      events.push(`finished ${result.index}`);
      results.push(result);
    },
  });
  for (const chunk of chunks) parser.push(chunk);
  return { events, results, error: parser.error };
}

/** Output of command 1 that looks like a start frame. */
const fake = `${nonce} S 0\n`;

function frames(): Buffer {
  return Buffer.concat([
    Buffer.from(`${nonce} S 0\n${nonce} R 0 3 4 0 4 0\nout\nerr\n`),
    Buffer.from(`${nonce} S 1\n${nonce} R 1 0 ${fake.length} 0 0 0\n${fake}`),
  ]);
}

describe("the batch driver's framing", () => {
  it("reports each command's start and result with its own exit code and streams", () => {
    const { events, results, error } = parse([frames()]);
    expect(error).toBeNull();
    expect(events).toEqual(["started 0", "finished 0", "started 1", "finished 1"]);
    expect(results[0]).toMatchObject({
      exitCode: 3,
      stdout: "out\n",
      stderr: "err\n",
      truncated: false,
    });
    // A body is taken by its length, so output that looks like a header is only output.
    expect(results[1]?.stdout).toBe(fake);
  });

  it("gives the same results whatever the chunk boundaries", () => {
    const whole = frames();
    const bytewise = Array.from(whole, (byte) => Buffer.from([byte]));
    expect(parse(bytewise).results).toEqual(parse([whole]).results);
  });

  it("adds the visible marker when the host dropped output", () => {
    const body = `${nonce} S 0\n${nonce} R 0 0 4 96 0 0\naaaa`;
    const { results } = parse([Buffer.from(body)], [4]);
    expect(results[0]?.truncated).toBe(true);
    expect(results[0]?.stdout).toBe(
      "aaaa\n…[output truncated after 4 bytes; 96 more bytes dropped]\n",
    );
  });

  it("stops at output that is not framed with its nonce", () => {
    const { events, error } = parse([Buffer.from(`ffff S 0\n`)]);
    expect(events).toEqual([]);
    expect(error).toMatch(/unexpected driver output/);
    expect(parse([Buffer.from(`${nonce} S 7\n`)]).error).toMatch(/start of command 8 out of order/);
  });

  it.each([
    [
      "a size over the cap",
      `${nonce} S 0\n${nonce} R 0 0 101 0 0 0\n`,
      /101 bytes of output, over its cap of 100/,
    ],
    ["a huge size", `${nonce} S 0\n${nonce} R 0 0 0 0 999999999999999 0\n`, /over its cap/],
    ["a negative size", `${nonce} S 0\n${nonce} R 0 0 -5 0 0 0\n`, /unexpected driver output/],
    ["a garbage size", `${nonce} S 0\n${nonce} R 0 0 1e9 0 0 0\n`, /unexpected driver output/],
    ["a size past 2^53", `${nonce} S 0\n${nonce} R 0 0 99999999999999999999 0 0 0\n`, /unexpected/],
    ["an exit status over 255", `${nonce} S 0\n${nonce} R 0 999 0 0 0 0\n`, /exit status 999/],
    [
      "a second start of the same command",
      `${nonce} S 0\n${nonce} S 0\n`,
      /start of command 1 out of order/,
    ],
    ["a start before the previous result", `${nonce} S 0\n${nonce} S 1\n`, /out of order/],
    [
      "a result of a command not started",
      `${nonce} S 0\n${nonce} R 1 0 0 0 0 0\n`,
      /result of command 2/,
    ],
    ["a result before any start", `${nonce} R 0 0 0 0 0 0\n`, /result of command 1 out of order/],
    [
      "a start of a command run before",
      `${nonce} S 0\n${nonce} R 0 0 0 0 0 0\n${nonce} S 0\n`,
      /out of order/,
    ],
  ])("refuses %s", (_name, stream, reason) => {
    const { error } = parse([Buffer.from(stream)]);
    expect(error).toMatch(reason);
  });

  it("refuses bytes after the last result", () => {
    const done = `${nonce} S 0\n${nonce} R 0 0 0 0 0 0\n${nonce} S 1\n${nonce} R 1 0 0 0 0 0\n`;
    expect(parse([Buffer.from(done)]).error).toBeNull();
    expect(parse([Buffer.from(`${done}x`)]).error).toMatch(/after the last result/);
    expect(parse([Buffer.from(done), Buffer.from("x")]).error).toMatch(/after the last result/);
  });

  it("holds no more than one body and one chunk while a host floods it", () => {
    const cap = 64 * 1024;
    const parser = new FrameParser(nonce, [cap], {
      started: () => undefined,
      finished: () => undefined,
    });
    parser.push(Buffer.from(`${nonce} S 0\n${nonce} R 0 0 ${cap} 0 ${cap} 0\n`));
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    // 2 caps of body, then 40 MiB that no header announced.
    for (let sent = 0; sent < 40 * 1024 * 1024 && !parser.error; sent += chunk.length) {
      parser.push(chunk);
    }
    expect(parser.error).toMatch(/after the last result/);
    expect(parser.buffered.peak).toBeLessThanOrEqual(2 * cap + chunk.length + 256);
    expect(parser.buffered.now).toBe(0);
  });

  it("stops at once at a flood without a newline and keeps nothing of it", () => {
    const parser = new FrameParser(nonce, [100], {
      started: () => undefined,
      finished: () => undefined,
    });
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    for (let i = 0; i < 1280 && !parser.error; i += 1) parser.push(chunk);
    expect(parser.error).toBe("driver output is not framed");
    expect(parser.buffered).toEqual({ now: 0, peak: chunk.length });
  });

  it("reports a result without output as soon as its header is in", () => {
    const { events } = parse([Buffer.from(`${nonce} S 0\n${nonce} R 0 0 0 0 0 0\n`)]);
    expect(events).toEqual(["started 0", "finished 0"]);
  });

  it("joins a body that arrives a byte at a time", () => {
    const body = Buffer.from(`${nonce} S 0\n${nonce} R 0 7 5 0 0 0\nhello`);
    const { results, error } = parse(
      Array.from(body, (byte) => Buffer.from([byte])),
      [100],
    );
    expect(error).toBeNull();
    expect(results).toEqual([
      { index: 0, exitCode: 7, stdout: "hello", stderr: "", truncated: false },
    ]);
  });

  it("passes each command to the driver as one single-quoted word with its timeout and cap", () => {
    const script = buildDriver(
      [
        { command: "echo 'it''s' $HOME", timeoutMs: 1500, maxOutputBytes: 64 },
        { command: "true", timeoutMs: 30_000, maxOutputBytes: 10 },
      ],
      nonce,
    );
    expect(script).toContain(`n=${nonce}`);
    expect(script).toContain(
      `\nset -- 0 1.5s 64 'echo '\\''it'\\'''\\''s'\\'' $HOME' 1 30s 10 'true'\n`,
    );
    expect(script).toContain("exec perl -e ");
    // The perl driver keeps KILL_AFTER_SECONDS itself; the sh fallback runs `timeout`.
    expect(script).toContain("my $grace = 2;");
    expect(script).toContain("timeout --signal=TERM --kill-after=2s");
  });
});
