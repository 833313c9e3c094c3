import type { Redis } from "ioredis";
import { IncidentRun } from "../../domain/incident-run";
import { HostReport, StepResult } from "../../domain/step-result";
import type { RunStore } from "../../ports/run-store";
import type { RedisKeys } from "./redis-keys";
import { parseStored as parse, RedisScript, StoreError } from "./redis-script";

/** Stores a host's report and counts the hosts in one step: exactly one caller completes the set. */
const storeReport = new RedisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HLEN', KEYS[1])
`);

export class RedisRunStore implements RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async createRun(run: IncidentRun): Promise<boolean> {
    return (await this.redis.set(this.keys.run(run.runId), JSON.stringify(run), "NX")) === "OK";
  }

  async getRun(runId: string): Promise<IncidentRun | null> {
    const raw = await this.redis.get(this.keys.run(runId));
    return raw === null ? null : parse(IncidentRun, raw, `run ${runId}`);
  }

  async nextRunNumber(incidentId: string): Promise<number> {
    return this.redis.incr(this.keys.runCounter(incidentId));
  }

  async recordStepResult(runId: string, host: string, result: StepResult): Promise<void> {
    await this.redis.hset(this.keys.runSteps(runId, host), result.id, JSON.stringify(result));
  }

  async stepResults(runId: string, host: string): Promise<Record<string, StepResult>> {
    const all = await this.redis.hgetall(this.keys.runSteps(runId, host));
    const out: Record<string, StepResult> = {};
    for (const [id, raw] of Object.entries(all)) out[id] = parse(StepResult, raw, `step ${id}`);
    return out;
  }

  async finishHost(
    runId: string,
    report: HostReport,
  ): Promise<{ finished: number; total: number }> {
    const { count, total } = await this.storeReport(runId, this.keys.runReports(runId), report);
    return { finished: count, total };
  }

  async hostReports(runId: string): Promise<HostReport[]> {
    return this.reports(runId, this.keys.runReports(runId));
  }

  async recordTriage(
    runId: string,
    report: HostReport,
  ): Promise<{ triaged: number; total: number }> {
    const { count, total } = await this.storeReport(runId, this.keys.runTriage(runId), report);
    return { triaged: count, total };
  }

  async triageReports(runId: string): Promise<HostReport[]> {
    return this.reports(runId, this.keys.runTriage(runId));
  }

  private async storeReport(
    runId: string,
    key: string,
    report: HostReport,
  ): Promise<{ count: number; total: number }> {
    const run = await this.getRun(runId);
    if (!run) throw new StoreError("corrupt-record", `No run ${runId}`, false);
    const count = await storeReport.run(this.redis, [key], [report.host, JSON.stringify(report)]);
    return { count: Number(count), total: run.hosts.length };
  }

  private async reports(runId: string, key: string): Promise<HostReport[]> {
    const all = await this.redis.hgetall(key);
    return Object.values(all).map((raw) => parse(HostReport, raw, `report in ${runId}`));
  }
}
