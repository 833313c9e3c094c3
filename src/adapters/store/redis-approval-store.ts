import type { Redis } from "ioredis";
import { Approval, ApprovalDecision, ApprovalGrant } from "../../domain/approval";
import {
  RemediationOutcome,
  type ApprovalStore,
  type StoredApproval,
} from "../../ports/approval-store";
import type { RedisKeys } from "./redis-keys";
import { RedisScript, StoreError, parseStored } from "./redis-script";

/**
 * One approver's approval. KEYS: decision, grants (a list of JSON grants), grant markers (a set
 * of who approved). ARGV: approver, grant JSON, required count, approved-decision JSON.
 * Returns 0 when a decision already stood or this approver was counted already, 1 when the grant
 * was added, 2 when it was added and completed the request (the decision is now `approved`).
 */
const GRANT = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[4])
  return 2
end
return 1
`);

/** Deletes the lock only while it still holds this holder's token. */
const UNLOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Approvals: the request as JSON, its one decision under a separate key written with SET NX (the
 * first click or the expiry wins, atomically), claims per host (SET NX) taken before a remediation
 * acts, and outcomes per host (HSETNX: the first recorded outcome stands).
 */
export class RedisApprovalStore implements ApprovalStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async create(approval: Approval): Promise<boolean> {
    const ok = await this.redis.set(
      this.keys.approval(approval.id),
      JSON.stringify(approval),
      "NX",
    );
    await this.redis.sadd(this.keys.incidentApprovals(approval.incidentId), approval.id);
    return ok === "OK";
  }

  async get(id: string): Promise<StoredApproval | null> {
    const [[, raw], [, decision], [, grants]] = (await this.redis
      .multi()
      .get(this.keys.approval(id))
      .get(this.keys.approvalDecision(id))
      .lrange(this.keys.approvalGrants(id), 0, -1)
      .exec()) as [[null, string | null], [null, string | null], [null, string[]]];
    if (!raw) return null;
    return {
      approval: parseStored(Approval, raw, `approval ${id}`),
      decision: decision ? parseStored(ApprovalDecision, decision, `decision ${id}`) : null,
      grants: grants.map((g) => parseStored(ApprovalGrant, g, `grant ${id}`)),
    };
  }

  async grant(
    approval: Approval,
    grant: ApprovalGrant,
  ): Promise<{ recorded: boolean; grants: ApprovalGrant[]; decision: ApprovalDecision | null }> {
    const id = approval.id;
    const approved: ApprovalDecision = { state: "approved", by: grant.by, at: grant.at };
    const reply = await GRANT.run(
      this.redis,
      [
        this.keys.approvalDecision(id),
        this.keys.approvalGrants(id),
        `${this.keys.approvalGrants(id)}:by`,
      ],
      [grant.by, JSON.stringify(grant), approval.required, JSON.stringify(approved)],
    );
    if (reply !== 0 && reply !== 1 && reply !== 2) {
      throw new StoreError("unexpected-reply", `grant ${id}: ${String(reply)}`, false);
    }
    const stored = await this.get(id);
    return {
      recorded: reply !== 0,
      grants: stored?.grants ?? [],
      decision: stored?.decision ?? null,
    };
  }

  async lockHost(host: string, token: string, ttlMs: number): Promise<boolean> {
    const key = this.keys.hostRemediationLock(host);
    return (await this.redis.set(key, token, "PX", ttlMs, "NX")) === "OK";
  }

  async hostLockHolder(host: string): Promise<string | null> {
    return this.redis.get(this.keys.hostRemediationLock(host));
  }

  async unlockHost(host: string, token: string): Promise<void> {
    await UNLOCK.run(this.redis, [this.keys.hostRemediationLock(host)], [token]);
  }

  async listForIncident(incidentId: string): Promise<Approval[]> {
    const ids = await this.redis.smembers(this.keys.incidentApprovals(incidentId));
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.approval(id)));
    return raws
      .flatMap((raw, i) => (raw ? [parseStored(Approval, raw, `approval ${ids[i] ?? ""}`)] : []))
      .sort((a, b) => a.requestedAt - b.requestedAt);
  }

  async decide(
    id: string,
    decision: ApprovalDecision,
  ): Promise<{ recorded: boolean; decision: ApprovalDecision }> {
    const key = this.keys.approvalDecision(id);
    if ((await this.redis.set(key, JSON.stringify(decision), "NX")) === "OK") {
      return { recorded: true, decision };
    }
    const raw = await this.redis.get(key);
    return {
      recorded: false,
      decision: raw ? parseStored(ApprovalDecision, raw, `decision ${id}`) : decision,
    };
  }

  async claimRemediation(approvalId: string, host: string): Promise<boolean> {
    const ok = await this.redis.set(
      this.keys.approvalClaim(approvalId, host),
      String(Date.now()),
      "NX",
    );
    return ok === "OK";
  }

  async recordRemediation(approvalId: string, outcome: RemediationOutcome): Promise<boolean> {
    const added = await this.redis.hsetnx(
      this.keys.approvalOutcomes(approvalId),
      outcome.host,
      JSON.stringify(outcome),
    );
    return added === 1;
  }

  async remediationOutcome(approvalId: string, host: string): Promise<RemediationOutcome | null> {
    const raw = await this.redis.hget(this.keys.approvalOutcomes(approvalId), host);
    return raw ? parseStored(RemediationOutcome, raw, `outcome ${approvalId}/${host}`) : null;
  }

  async setCardRef(approvalId: string, ref: string): Promise<void> {
    await this.redis.set(this.keys.approvalCard(approvalId), ref);
  }

  async cardRef(approvalId: string): Promise<string | null> {
    return this.redis.get(this.keys.approvalCard(approvalId));
  }
}
