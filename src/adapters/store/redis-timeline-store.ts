import type { Redis } from "ioredis";
import { TimelineEvent } from "../../domain/timeline";
import type { TimelineStore } from "../../ports/timeline-store";
import type { RedisKeys } from "./redis-keys";
import { RedisScript, StoreError } from "./redis-script";

/**
 * One Redis Stream per incident, plus a hash of event key → stream id. Appending checks the hash
 * and adds to the stream in one Lua step, so two workers racing on the same event add it once.
 * The Lua function is the one timeline append: other scripts that write an event (the alert
 * claim) define it with this text and call it.
 */
export const APPEND_ONCE_LUA = `
local function append_once(stream, keys, key, json)
  local existing = redis.call('HGET', keys, key)
  if existing then return {0, existing} end
  local id = redis.call('XADD', stream, '*', 'e', json)
  redis.call('HSET', keys, key, id)
  return {1, id}
end
`;

const appendOnce = new RedisScript(`${APPEND_ONCE_LUA}
return append_once(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
`);

/** Decoded events of an incident's stream, from its first entry to `lastId`. */
interface DecodedTimeline {
  firstId: string;
  lastId: string;
  events: TimelineEvent[];
}

/** How many incidents' decoded timelines a process keeps (the most recently read). */
const DECODED_TIMELINES = 32;

export class RedisTimelineStore implements TimelineStore {
  /**
   * A timeline is read whole for every card refresh, diagnosis and page view, and at 30 hosts it
   * holds megabytes of step output: decoding it again each time (RESP, JSON, zod) was much of the
   * worker's CPU while an incident's steps streamed in. Streams only grow, so a read asks for
   * the entries after the last one decoded; the stream's first entry id, asked in the same round
   * trip, catches a stream that was deleted or replaced (then it is read whole again).
   */
  private readonly decoded = new Map<string, DecodedTimeline>();

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
    const key = this.keys.timeline(incidentId);
    const known = this.decoded.get(incidentId);
    if (known) {
      const [head, added] = await Promise.all([
        this.redis.xrange(key, "-", "+", "COUNT", 1),
        this.redis.xrange(key, `(${known.lastId}`, "+"),
      ]);
      if (head[0]?.[0] === known.firstId) {
        const events = [...known.events, ...this.decodeAll(incidentId, added)];
        this.keep(incidentId, { ...known, lastId: added.at(-1)?.[0] ?? known.lastId, events });
        return [...events];
      }
    }
    const entries = await this.redis.xrange(key, "-", "+");
    const events = this.decodeAll(incidentId, entries);
    const [first, last] = [entries[0]?.[0], entries.at(-1)?.[0]];
    if (first && last) this.keep(incidentId, { firstId: first, lastId: last, events });
    else this.decoded.delete(incidentId);
    return [...events];
  }

  private decodeAll(incidentId: string, entries: [string, string[]][]): TimelineEvent[] {
    return entries.flatMap(([id, fields]) => this.decode(incidentId, id, fields));
  }

  /** Most recently read last; the least recently read goes past DECODED_TIMELINES. */
  private keep(incidentId: string, timeline: DecodedTimeline): void {
    this.decoded.delete(incidentId);
    this.decoded.set(incidentId, timeline);
    if (this.decoded.size > DECODED_TIMELINES) {
      const oldest = this.decoded.keys().next().value;
      if (oldest !== undefined) this.decoded.delete(oldest);
    }
  }

  async has(incidentId: string, key: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.timelineKeys(incidentId), key)) === 1;
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
