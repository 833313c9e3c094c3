import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Integration } from "../../domain/incident";
import { TimelineEvent } from "../../domain/timeline";
import type { AlertStore, FiringClaim, FiringInput } from "../../ports/alert-store";
import type { RedisKeys } from "./redis-keys";
import { RedisScript, StoreError } from "./redis-script";
import { APPEND_ONCE_LUA } from "./redis-timeline-store";

/**
 * A firing delivery in one step. The key's claim is `<incident id> <claimed at>`; its holder keeps
 * it unless that incident's record says resolved. An incident with no record yet is being
 * declared; a claim left that way for PENDING_CLAIM_MS (a declare job lost) lapses. The record,
 * not the open index, decides: the index is written with the record, but in another key. Held:
 * the repeat is appended to the holder's timeline (once per event key, as the timeline store
 * appends), so a repeat is one round trip. Claimed: the storm gate (a sliding window of
 * alert-declared incidents) admits the candidate, or refuses and names the recent ones. Admitted,
 * the firing is written on the candidate's timeline in the same step, so the repeats that come
 * while its declare job runs land after it.
 */
const fireScript = new RedisScript(`${APPEND_ONCE_LUA}
local claim = redis.call('GET', KEYS[1])
if claim then
  local holder, since = string.match(claim, '^(%S+) ?(%d*)$')
  local record = redis.call('GET', ARGV[2] .. holder)
  local held
  if record then held = cjson.decode(record).state ~= 'resolved'
  else held = since == '' or tonumber(ARGV[7]) - tonumber(since) < tonumber(ARGV[3]) end
  if held then
    append_once(ARGV[4] .. holder, ARGV[4] .. holder .. ':keys', ARGV[5], ARGV[6])
    return {0, holder}
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[7]) - tonumber(ARGV[8]))
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[9]) then
  return {1, ARGV[1], redis.call('ZREVRANGE', KEYS[2], 0, 19)}
end
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
append_once(ARGV[4] .. ARGV[1], ARGV[4] .. ARGV[1] .. ':keys', ARGV[10], ARGV[11])
return {1, ARGV[1]}
`);

/** The holder part of a claim, compared with ARGV[1]. */
const HOLDER_IS = "string.match(redis.call('GET', KEYS[1]) or '', '^(%S+)') == ARGV[1]";

const repointScript = new RedisScript(`
if ${HOLDER_IS} then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
return 0
`);

const releaseScript = new RedisScript(`
if ${HOLDER_IS} then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * A claim whose incident is not saved yet lapses after this. The declare is a queued job, retried
 * for minutes and released when it gives up, so only a job lost with Redis's data leaves one
 * behind; a shorter time would let a repeat declare a second incident behind a slow queue.
 */
const PENDING_CLAIM_MS = 10 * 60_000;
/** PagerDuty retries a delivery for a while; ids are kept well beyond that. */
const DELIVERY_TTL_SECONDS = 3 * 24 * 3600;

export class RedisAlertStore implements AlertStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async claimFiring(
    integration: Integration,
    dedupeKey: string,
    input: FiringInput,
  ): Promise<FiringClaim> {
    const repeat = TimelineEvent.parse(input.repeat);
    const firing = TimelineEvent.parse(input.firing);
    const reply = await fireScript.run(
      this.redis,
      [this.claimKey(integration, dedupeKey), this.keys.alertDeclares],
      [
        input.candidate,
        this.keys.incidentKeyPrefix,
        PENDING_CLAIM_MS,
        this.keys.timelinePrefix,
        repeat.key,
        JSON.stringify(repeat),
        input.now,
        input.storm.windowMs,
        input.storm.limit,
        firing.key,
        JSON.stringify(firing),
      ],
    );
    if (!Array.isArray(reply) || typeof reply[1] !== "string") {
      throw new StoreError("unexpected-reply", `alert claim answered ${String(reply)}`, true);
    }
    if (reply[0] !== 1) return { kind: "repeat", incidentId: reply[1] };
    const recent: unknown = reply[2];
    return Array.isArray(recent)
      ? { kind: "claimed", admitted: false, recent: recent.map(String) }
      : { kind: "claimed", admitted: true };
  }

  async release(integration: Integration, dedupeKey: string, incidentId: string): Promise<void> {
    await releaseScript.run(this.redis, [this.claimKey(integration, dedupeKey)], [incidentId]);
  }

  async forgetDeclare(candidate: string): Promise<void> {
    await this.redis.zrem(this.keys.alertDeclares, candidate);
  }

  async repoint(integration: Integration, dedupeKey: string, from: string, to: string) {
    await repointScript.run(this.redis, [this.claimKey(integration, dedupeKey)], [from, to]);
  }

  async holder(integration: Integration, dedupeKey: string): Promise<string | null> {
    const claim = await this.redis.get(this.claimKey(integration, dedupeKey));
    return claim?.split(" ")[0] ?? null;
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
