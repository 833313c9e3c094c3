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
    expect(parse([Buffer.from(`${nonce} S 7\n`)]).error).toMatch(/unexpected/);
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
    expect(script).toContain("timeout --signal=TERM --kill-after=2s");
  });
});
