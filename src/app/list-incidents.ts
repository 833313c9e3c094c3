import type { Incident } from "../domain/incident";
import type { LifecycleDeps } from "./lifecycle-deps";
import { succeed, type UseCaseResult } from "./use-case-result";

/** `/incident list`: open (and mitigated) incidents by default, newest first. */
export async function listIncidents(
  deps: Pick<LifecycleDeps, "incidents">,
  input: { openOnly?: boolean; limit?: number } = {},
): Promise<UseCaseResult<Incident[]>> {
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 200);
  return succeed(await deps.incidents.list({ openOnly: input.openOnly ?? true, limit }));
}
