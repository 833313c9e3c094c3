import type { Redis } from "ioredis";
import { TimelineEvent } from "../../domain/timeline";
import type { TimelineStore } from "../../ports/timeline-store";
import type { RedisKeys } from "./redis-keys";
import { RedisScript, StoreError } from "./redis-script";

/**
 * One Redis Stream per incident, plus a hash of event key → stream id. Appending checks the hash
 * and adds to the stream in one Lua step, so two workers racing on the same event add it once.
 */
const appendOnce = new RedisScript(`
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {0, existing} end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
return {1, id}
`);

export class RedisTimelineStore implements TimelineStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly onInvalid: (problem: string) => void = () => undefined,
  ) {}

  async append(incidentId: string, event: TimelineEvent): Promise<{ appended: boolean }> {
    const valid = TimelineEvent.parse(event);
    const reply = await appendOnce.run(
      this.redis,
      [this.keys.timeline(incidentId), this.keys.timelineKeys(incidentId)],
      [valid.key, JSON.stringify(valid)],
    );
    if (!Array.isArray(reply)) throw new StoreError("unexpected-reply", "append: odd reply", true);
    return { appended: reply[0] === 1 };
  }

  async read(incidentId: string): Promise<TimelineEvent[]> {
    const entries = await this.redis.xrange(this.keys.timeline(incidentId), "-", "+");
    return entries.flatMap(([id, fields]) => this.decode(incidentId, id, fields));
  }

  async getByKey(incidentId: string, key: string): Promise<TimelineEvent | null> {
    const id = await this.redis.hget(this.keys.timelineKeys(incidentId), key);
    if (!id) return null;
    const [entry] = await this.redis.xrange(this.keys.timeline(incidentId), id, id);
    return entry ? (this.decode(incidentId, entry[0], entry[1])[0] ?? null) : null;
  }

  /** An event that no longer validates is reported and left out rather than breaking the read. */
  private decode(incidentId: string, id: string, fields: string[]): TimelineEvent[] {
    const raw = fields[fields.indexOf("e") + 1];
    let data: unknown;
    try {
      data = raw === undefined ? undefined : JSON.parse(raw);
    } catch (error) {
      this.onInvalid(`${incidentId} ${id}: not JSON (${String(error)})`);
      return [];
    }
    const parsed = TimelineEvent.safeParse(data);
    if (parsed.success) return [parsed.data];
    this.onInvalid(`${incidentId} ${id}: ${parsed.error.message}`);
    return [];
  }
}
