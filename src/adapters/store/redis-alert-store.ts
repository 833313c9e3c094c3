import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Integration } from "../../domain/incident";
import type { AlertStore } from "../../ports/alert-store";
import type { RedisKeys } from "./redis-keys";
import { RedisScript, StoreError } from "./redis-script";

/**
 * The claim, in one step: the holder keeps the key unless its incident's record says resolved.
 * An incident that does not exist yet is being declared (the claim's expiry covers a declare that
 * died); one that exists is open or mitigated. The record, not the open index, decides: the index
 * is written just after the record, and a claim between the two must not take the key.
 */
const claimScript = new RedisScript(`
local holder = redis.call('GET', KEYS[1])
if holder then
  local record = redis.call('GET', ARGV[2] .. holder)
  if not record or cjson.decode(record).state ~= 'resolved' then return {0, holder} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return {1, ARGV[1]}
`);

/** The storm gate: a sliding window of alert-declared incidents, checked and added in one step. */
const admitScript = new RedisScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return {0, redis.call('ZREVRANGE', KEYS[1], 0, 19)}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, {}}
`);

const repointScript = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
return 0
`);

const ifHolder = (command: string) =>
  new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('${command}', KEYS[1]) end
return 0
`);
const confirmScript = ifHolder("PERSIST");
const releaseScript = ifHolder("DEL");

/** A declare takes well under a second; a claim left by a process that died lapses after this. */
const PENDING_CLAIM_MS = 60_000;
/** PagerDuty retries a delivery for a while; ids are kept well beyond that. */
const DELIVERY_TTL_SECONDS = 3 * 24 * 3600;

export class RedisAlertStore implements AlertStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async claim(integration: Integration, dedupeKey: string, candidate: string) {
    const reply = await claimScript.run(
      this.redis,
      [this.claimKey(integration, dedupeKey)],
      [candidate, this.keys.incidentKeyPrefix, PENDING_CLAIM_MS],
    );
    if (!Array.isArray(reply) || typeof reply[1] !== "string") {
      throw new StoreError("unexpected-reply", `alert claim answered ${String(reply)}`, true);
    }
    return { claimed: reply[0] === 1, incidentId: reply[1] };
  }

  async confirm(integration: Integration, dedupeKey: string, incidentId: string): Promise<void> {
    await confirmScript.run(this.redis, [this.claimKey(integration, dedupeKey)], [incidentId]);
  }

  async release(integration: Integration, dedupeKey: string, incidentId: string): Promise<void> {
    await releaseScript.run(this.redis, [this.claimKey(integration, dedupeKey)], [incidentId]);
  }

  async admitDeclare(candidate: string, now: number, windowMs: number, limit: number) {
    const reply = await admitScript.run(
      this.redis,
      [this.keys.alertDeclares],
      [candidate, now, windowMs, limit],
    );
    if (!Array.isArray(reply) || !Array.isArray(reply[1])) {
      throw new StoreError("unexpected-reply", `storm gate answered ${String(reply)}`, true);
    }
    return { admitted: reply[0] === 1, recent: reply[1].map(String) };
  }

  async forgetDeclare(candidate: string): Promise<void> {
    await this.redis.zrem(this.keys.alertDeclares, candidate);
  }

  async repoint(integration: Integration, dedupeKey: string, from: string, to: string) {
    await repointScript.run(this.redis, [this.claimKey(integration, dedupeKey)], [from, to]);
  }

  holder(integration: Integration, dedupeKey: string): Promise<string | null> {
    return this.redis.get(this.claimKey(integration, dedupeKey));
  }

  async seenDelivery(integration: Integration, deliveryId: string): Promise<boolean> {
    return (await this.redis.exists(this.deliveryKey(integration, deliveryId))) === 1;
  }

  async rememberDelivery(integration: Integration, deliveryId: string): Promise<void> {
    await this.redis.set(
      this.deliveryKey(integration, deliveryId),
      "1",
      "EX",
      DELIVERY_TTL_SECONDS,
    );
  }

  private claimKey(integration: Integration, dedupeKey: string): string {
    return this.keys.alertClaim(integration, digest(dedupeKey));
  }

  private deliveryKey(integration: Integration, deliveryId: string): string {
    return this.keys.alertDelivery(integration, digest(deliveryId));
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}
