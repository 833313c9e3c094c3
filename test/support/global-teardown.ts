import type { PrivateRedis } from "./redis-server";

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __privateRedis?: PrivateRedis }).__privateRedis;
  await redis?.stop();
}
