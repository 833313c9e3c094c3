import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { z } from "zod";

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server has not seen it yet (after
 * a restart or SCRIPT FLUSH). Scripts are how the store makes check-then-write steps atomic.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/** Store failures carry a code and whether trying again can help (Redis down: yes). */
export class StoreError extends Error {
  constructor(
    readonly code: "corrupt-record" | "conflict" | "unexpected-reply",
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** JSON from Redis, validated: a record that no longer fits its schema is a non-retryable error. */
export function parseStored<T>(schema: z.ZodType<T>, raw: string, what: string): T {
  const parsed = schema.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    throw new StoreError("corrupt-record", `${what}: ${parsed.error.message}`, false);
  }
  return parsed.data;
}
