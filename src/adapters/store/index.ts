import type { Redis } from "ioredis";
import { RedisAlertStore } from "./redis-alert-store";
import { RedisApprovalStore } from "./redis-approval-store";
import { RedisDeliveryLog } from "./redis-delivery-log";
import { RedisIncidentStore } from "./redis-incident-store";
import { redisKeys } from "./redis-keys";
import { RedisRunStore } from "./redis-run-store";
import { RedisTimelineStore } from "./redis-timeline-store";

export {
  RedisAlertStore,
  RedisApprovalStore,
  RedisDeliveryLog,
  RedisIncidentStore,
  RedisRunStore,
  RedisTimelineStore,
  redisKeys,
};
export { StoreError } from "./redis-script";

/** Every store on one connection under one key prefix (a deployment's, or a test's own). */
export function createRedisStores(redis: Redis, prefix: string, onInvalid?: (p: string) => void) {
  const keys = redisKeys(prefix);
  return {
    incidents: new RedisIncidentStore(redis, keys),
    timeline: new RedisTimelineStore(redis, keys, onInvalid),
    runs: new RedisRunStore(redis, keys),
    approvals: new RedisApprovalStore(redis, keys),
    deliveries: new RedisDeliveryLog(redis, keys),
  };
}
