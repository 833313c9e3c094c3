import type { Redis } from "ioredis";
import { Incident } from "../../domain/incident";
import type { IncidentStore } from "../../ports/incident-store";
import type { RedisKeys } from "./redis-keys";
import { RedisScript, StoreError } from "./redis-script";

/**
 * Compare-and-set on the incident's `version`: the write happens only if nobody wrote since we
 * read, and the open index follows the state in the same step. A shared connection cannot use
 * WATCH safely (other callers' commands interleave), so the check runs in Lua.
 */
const casUpdate = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
local version = cjson.decode(current).version or 0
if tostring(version) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] == 'resolved' then
  redis.call('ZREM', KEYS[2], ARGV[4])
else
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
end
return 1
`);

const MAX_CAS_ATTEMPTS = 50;

/** The record (unless the id is taken), both indexes and the channel's pointer, in one step. */
const createScript = new RedisScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
if KEYS[4] then redis.call('SET', KEYS[4], ARGV[3]) end
return 1
`);

export class RedisIncidentStore implements IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async create(incident: Incident): Promise<boolean> {
    const stored = { ...incident, version: incident.version ?? 0 };
    const channel = incident.channel ? [this.keys.channel(incident.channel)] : [];
    const created = await createScript.run(
      this.redis,
      [
        this.keys.incident(incident.id),
        this.keys.allIncidents,
        this.keys.openIncidents,
        ...channel,
      ],
      [JSON.stringify(stored), incident.declaredAt, incident.id],
    );
    return created === 1;
  }

  async get(id: string): Promise<Incident | null> {
    const raw = await this.redis.get(this.keys.incident(id));
    return raw === null ? null : parseIncident(raw);
  }

  async findByChannel(channel: string): Promise<Incident | null> {
    const id = await this.redis.get(this.keys.channel(channel));
    return id ? this.get(id) : null;
  }

  async update(
    id: string,
    change: (current: Incident) => Incident | null,
  ): Promise<Incident | null> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.get(id);
      if (!current) return null;
      const next = change(current);
      if (!next) return current;
      const version = current.version ?? 0;
      const stored: Incident = { ...next, id, version: version + 1 };
      const reply = await casUpdate.run(
        this.redis,
        [this.keys.incident(id), this.keys.openIncidents],
        [version, JSON.stringify(stored), stored.state, id, stored.declaredAt],
      );
      if (reply === -1) return null;
      if (reply === 1) {
        if (stored.channel && stored.channel !== current.channel) {
          await this.redis.set(this.keys.channel(stored.channel), id);
        }
        return stored;
      }
    }
    throw new StoreError("conflict", `Incident ${id} kept changing under us`, true);
  }

  async countOpen(): Promise<number> {
    return this.redis.zcard(this.keys.openIncidents);
  }

  async list(filter: { openOnly: boolean; limit: number }): Promise<Incident[]> {
    const index = filter.openOnly ? this.keys.openIncidents : this.keys.allIncidents;
    const ids = await this.redis.zrevrange(index, 0, filter.limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.incident(id)));
    return raws.flatMap((raw) => (raw === null ? [] : [parseIncident(raw)]));
  }
}

function parseIncident(raw: string): Incident {
  const parsed = Incident.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    throw new StoreError(
      "corrupt-record",
      `Stored incident is invalid: ${parsed.error.message}`,
      false,
    );
  }
  return parsed.data;
}
