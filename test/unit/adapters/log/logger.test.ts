import { PassThrough } from "node:stream";
import { boltLogger, createLogger, problemLog } from "../../../../src/adapters/log";

function capture(level: "info" | "debug" = "info", secrets: string[] = []) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const logger = createLogger({ level, secrets, output: { json: stream } });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((l) => l)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

describe("the pino logger", () => {
  test("secret fields are removed by name, at the top and nested", () => {
    const { logger, lines } = capture();
    logger.info({ token: "t0p", config: { signingSecret: "s3cret", port: 3000 } }, "config");
    expect(lines()[0]).toMatchObject({
      level: "info",
      msg: "config",
      token: "[redacted]",
      config: { signingSecret: "[redacted]", port: 3000 },
    });
  });

  test("a Slack token or a configured secret inside any text is blanked", () => {
    const { logger, lines } = capture("info", ["hunter2-webhook"]);
    logger.warn(
      { error: "invalid_auth for xoxb-123-456-abcDEF", header: "Bearer hunter2-webhook" },
      "call failed with xapp-1-A0-xyz",
    );
    const text = JSON.stringify(lines());
    expect(text).not.toMatch(/xoxb-|xapp-|hunter2-webhook/);
    expect(text).toContain("[redacted]");
  });

  test("problem reports are warnings whose ids become incident, run, host and job fields", () => {
    const { logger, lines } = capture();
    problemLog(logger)("step failed", {
      incidentId: "inc-1",
      runId: "r-1",
      host: "proxy-1",
      jobId: "j-1",
      error: "timeout",
    });
    expect(lines()[0]).toMatchObject({
      level: "warn",
      msg: "step failed",
      incident: "inc-1",
      run: "r-1",
      host: "proxy-1",
      job: "j-1",
      error: "timeout",
    });
  });

  test("Bolt's logger writes through it, filtered by LOG_LEVEL rather than Bolt's own level", () => {
    const { logger, lines } = capture("info");
    const bolt = boltLogger(logger);
    bolt.setLevel("debug" as Parameters<typeof bolt.setLevel>[0]);
    bolt.debug("not shown");
    bolt.error("An incoming HTTP request did not pass signature verification", { n: 1 });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: "error",
        component: "slack",
        msg: expect.stringContaining("signature"),
      }),
    ]);
    expect(bolt.getLevel()).toBe("debug");
  });
});
