import { createServer, type Server } from "node:net";
import { noRedisMessage, redact, redisAnswers } from "../../../../src/adapters/shell/redis-answers";
import { freePort } from "../../../support/free-port";
import { testRedisUrl } from "../../../support/redis";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    }),
  );
}

describe("redisAnswers", () => {
  it("is true for the test suite's private Redis", async () => {
    await expect(redisAnswers(testRedisUrl())).resolves.toBe(true);
  });

  it("is false when nothing listens on the port", async () => {
    await expect(redisAnswers(`redis://127.0.0.1:${await freePort()}`)).resolves.toBe(false);
  });

  it("is false when the port accepts but never answers", async () => {
    const server = createServer(() => undefined);
    const port = await listen(server);
    try {
      await expect(redisAnswers(`redis://127.0.0.1:${port}`, 300)).resolves.toBe(false);
    } finally {
      server.close();
    }
  });
});

describe("noRedisMessage", () => {
  it("is one line saying how to start a Redis on the same port", () => {
    const message = noRedisMessage("redis://127.0.0.1:6390");
    expect(message).not.toContain("\n");
    expect(message).toContain("No Redis at redis://127.0.0.1:6390");
    expect(message).toContain(`'redis-server --port 6390 --save ""'`);
    expect(message).toContain("REDIS_URL");
  });

  it("never shows a password from the URL", () => {
    expect(redact("redis://:secret@10.0.0.1:6379/0")).toBe("redis://***@10.0.0.1:6379/0");
    expect(noRedisMessage("redis://user:secret@h:6379")).not.toContain("secret");
  });
});
