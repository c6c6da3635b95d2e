import { jobStatus } from "./job-status.server.ts";
import { jobIdFor } from "./registry.ts";

// A week's optimisation as the planning board shows it: the job's progress
// (Redis) while the run is recorded as running, the run's report once it ends.

export type PlanningRunRow = { id: string; status: string; stats: unknown };

export async function runProgress(run: PlanningRunRow) {
  if (run.status !== "running") return { status: run.status, state: run.status, progress: 100, stats: (run.stats ?? null) as Record<string, number | string> | null };
  try {
    const job = await jobStatus("scheduling", jobIdFor("scheduling", `optimise:${run.id}`));
    return { status: run.status, state: job?.state ?? "waiting", progress: job?.progress ?? 0, stats: null };
  } catch {
    // Redis away: the run waits in the outbox; the page keeps waiting.
    return { status: run.status, state: "waiting", progress: 0, stats: null };
  }
}
