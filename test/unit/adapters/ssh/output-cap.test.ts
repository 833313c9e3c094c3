import { OutputCap } from "../../../../src/adapters/ssh/output-cap";
import { wrapWithTimeout } from "../../../../src/adapters/ssh/ssh-executor";

describe("output cap", () => {
  it("keeps everything under the limit without a marker", () => {
    const cap = new OutputCap(10);
    cap.push(Buffer.from("hello\n"));
    expect(cap.truncated).toBe(false);
    expect(cap.text()).toBe("hello\n");
  });

  it("keeps the first bytes, counts the rest and says so", () => {
    const cap = new OutputCap(8);
    cap.push(Buffer.from("12345"));
    cap.push(Buffer.from("67890"));
    cap.push(Buffer.alloc(1000, "z"));
    expect(cap.truncated).toBe(true);
    expect(cap.text()).toBe(
      "12345678\n…[output truncated after 8 bytes; 1002 more bytes dropped]\n",
    );
  });
});

describe("remote timeout wrapper", () => {
  it("runs the command under timeout as one quoted sh -c argument", () => {
    expect(
      wrapWithTimeout({ command: "echo 'a' | wc -c", timeoutMs: 1500, maxOutputBytes: 1 }),
    ).toBe(`timeout --signal=TERM --kill-after=2s 1.5s sh -c 'echo '\\''a'\\'' | wc -c'`);
  });
});
