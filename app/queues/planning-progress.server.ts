import { jobStatus, type JobStatus } from "./job-status.server.ts";
import { jobIdFor } from "./registry.ts";

// A week's optimisation as the planning board shows it: the job's progress
// (Redis) while the run is recorded as running, the run's report once it ends.

export type PlanningRunRow = { id: string; status: string; stats: unknown };

export async function runProgress(run: PlanningRunRow) {
  if (run.status !== "running") return { status: run.status, state: run.status, progress: 100, stats: (run.stats ?? null) as Record<string, number | string> | null };
  try {
    const job = await jobStatus("scheduling", jobIdFor("scheduling", `optimise:${run.id}`));
    return { status: run.status, state: job?.state ?? "waiting", progress: job ? overallProgress(job) : 0, stats: null };
  } catch {
    // Redis away: the run waits in the outbox; the page keeps waiting.
    return { status: run.status, state: "waiting", progress: 0, stats: null };
  }
}

/**
 * One bar for a week, split or not: a big week's parts are solved by child
 * jobs (see optimiseWeek) while the week's job waits at 30 %; the bar then
 * goes from 30 to 75 with the parts' mean progress, as a whole week's solve does.
 */
export function overallProgress(job: Pick<JobStatus, "progress" | "children">) {
  if (!job.children || job.children.length === 0) return job.progress;
  const share = job.children.reduce((sum, p) => sum + Math.min(100, Math.max(0, p)), 0) / (100 * job.children.length);
  return Math.max(job.progress, 30 + Math.floor(45 * share));
}
