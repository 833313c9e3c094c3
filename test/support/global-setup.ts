import { startPrivateRedis, sweepOrphanedRedis } from "./redis-server";

/**
 * One private Redis for the whole run. Test files isolate themselves with a fresh key prefix and
 * queue name (see test/support/redis.ts); the URL reaches the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  await sweepOrphanedRedis();
  const redis = await startPrivateRedis();
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TEST_REDIS_PID = String(redis.pid);
  (globalThis as { __privateRedis?: typeof redis }).__privateRedis = redis;
}
