import { randomUUID } from "node:crypto";

/** The private Redis started by the global set-up. */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error("TEST_REDIS_URL is not set: run the tests through jest (npm test)");
  return url;
}

/** A fresh key prefix / queue name per test, so tests never see each other's data. */
export function uniquePrefix(label = "t"): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
