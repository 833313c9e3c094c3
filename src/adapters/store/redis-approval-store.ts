import type { Redis } from "ioredis";
import { Approval, ApprovalDecision } from "../../domain/approval";
import { RemediationOutcome, type ApprovalStore } from "../../ports/approval-store";
import type { RedisKeys } from "./redis-keys";
import { parseStored } from "./redis-script";

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

  async get(id: string): Promise<{ approval: Approval; decision: ApprovalDecision | null } | null> {
    const [raw, decision] = await this.redis.mget(
      this.keys.approval(id),
      this.keys.approvalDecision(id),
    );
    if (!raw) return null;
    return {
      approval: parseStored(Approval, raw, `approval ${id}`),
      decision: decision ? parseStored(ApprovalDecision, decision, `decision ${id}`) : null,
    };
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
