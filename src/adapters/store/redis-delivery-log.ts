import type { Redis } from "ioredis";
import type { DeliveryLog } from "../../ports/delivery-log";
import type { RedisKeys } from "./redis-keys";

/** One Redis set per incident of the announcement parts already sent. */
export class RedisDeliveryLog implements DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async wasSent(incidentId: string, part: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.deliveries(incidentId), part)) === 1;
  }

  async markSent(incidentId: string, part: string): Promise<void> {
    await this.redis.sadd(this.keys.deliveries(incidentId), part);
  }
}
