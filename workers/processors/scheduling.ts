import { createHash } from "node:crypto";
import { UnrecoverableError, WaitingChildrenError, type Job } from "bullmq";
import {
  finishPlanningRun,
  getIntervention,
  interventionsToStaff,
  loadWeekInstance,
  planWeek,
  staffWaitingInWeek,
  startPlanningRun,
  type PassTimings,
  type PinPolicy,
} from "~/data/scheduling.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { insertIntoPlan, solve, weeklyIterations, type SolveOptions } from "~/domain/scheduling/engine.ts";
import type { ExactResult } from "~/domain/scheduling/exact-types.ts";
import { chooseSolverFor, solveWeekSafely } from "~/domain/scheduling/exact.ts";
import { exactSolveShare, sameInstance, silentSearchShare, WEEKLY_EXACT, weeklyReport, type WeeklyLimits, type WeeklySolverReport } from "~/domain/scheduling/weekly-solver.ts";
import { parseInstance, type Instance, type Plan } from "~/domain/scheduling/instance.ts";
import { mergePlans, splitWeek, unservablePlan, WEEKLY_SPLIT, type SplitLimits } from "~/domain/scheduling/split.ts";
import { addChildJobs } from "~/queues/flows.server.ts";
import { jobIdFor, type JobPayload } from "~/queues/registry.ts";
import { addDays, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { daySpan, isDayWithin } from "~/utils/validation.ts";
import { DAY_MS } from "~/utils/time.ts";
import { sharePasses } from "~/utils/share-passes.ts";
import { PLANNABLE, isIn } from "~/domain/requests/status.ts";

// The scheduling jobs: one engine (app/domain/scheduling), three uses.

/** Checks an instance built from the database: a malformed one is a data problem, named. */
function parsed(instance: Instance): Instance {
  const result = parseInstance(instance);
  if (!result.ok) throw new Error(`Données de planning invalides (${result.path}) : ${result.message}`);
  return result.instance;
}

const solveInstance = (instance: Instance, options: SolveOptions = {}): Plan => solve(parsed(instance), options).plan;

// Instant mode inserts the waiting interventions among the staffed ones, left
// as they are; re-optimising the week is the weekly job's work.
const instantInsert = (instance: Instance) => insertIntoPlan(parsed(instance)).plan;

function byWeek<T extends { id: string; startsAt: Date }>(items: T[]) {
  const weeks = new Map<string, string[]>();
  for (const item of items) {
    const week = parisWeekStart(item.startsAt);
    weeks.set(week, [...(weeks.get(week) ?? []), item.id]);
  }
  return weeks;
}

/**
 * The jobs of a week share a pass that has not read the week yet (see
 * sharePasses). A pass reads the week without the lock and checks it under
 * the lock (staffWaitingInWeek), so in one process the passes of a week
 * follow each other: each reads once the previous one has committed, and its
 * insertion still holds when it takes the lock (other processes' writes are
 * caught by the check). Jobs that arrive meanwhile join the waiting pass.
 */
const passesRunning = new Map<string, Promise<unknown>>();
const staffWeek = sharePasses((week, closed) => {
  const previous = passesRunning.get(week) ?? Promise.resolve();
  const pass = previous.catch(() => {}).then(() => staffWaitingInWeek(week, instantInsert, closed));
  passesRunning.set(week, pass);
  const forget = () => {
    if (passesRunning.get(week) === pass) passesRunning.delete(week);
  };
  void pass.then(forget, forget);
  return pass;
});

/**
 * Instant mode: staffs the request's interventions that still wait, in the
 * current plan, without moving anything already staffed. Requests accepted
 * together are staffed together: a pass takes every waiting intervention of
 * its week. Running it twice finds nothing left to staff.
 */
export async function staffRequest({ requestId }: JobPayload<"scheduling", "staff-request">) {
  const started = Date.now();
  const waiting = await interventionsToStaff(requestId);
  const queried = Date.now();
  let staffed = 0;
  const passes: PassTimings[] = [];
  for (const [week, ids] of byWeek(waiting)) {
    const { scheduled, timings } = await staffWeek(week);
    staffed += ids.filter((id) => scheduled.has(id)).length;
    passes.push(timings);
  }
  // The timings (epoch ms) say where the time went: the benchmark reads them from the job's result.
  return { interventions: waiting.length, staffed, timings: { started, queried, passes } };
}

/** An intervention changed: re-staff it alone, the rest of its week kept. */
export async function replanIntervention({ interventionId }: JobPayload<"scheduling", "replan-intervention">, now = new Date()) {
  const intervention = await getIntervention(interventionId);
  if (!intervention || !isIn(PLANNABLE, intervention.status)) return { skipped: true };
  // A date outside what the app accepts (written before it checked) cannot be planned: say so once, no retries.
  if (!isDayWithin(toParisDate(intervention.startsAt), "planned", now)) {
    throw new UnrecoverableError(`Intervention ${interventionId}: its date is outside the dates the app plans (${daySpan("planned", now).min} to ${daySpan("planned", now).max})`);
  }
  const week = parisWeekStart(intervention.startsAt);
  // Within the notice period only the absent people's places change (see PinPolicy).
  const result = await planWeek(week, { kind: "keep-staffed", free: [interventionId], lockedBefore: await noticeEnd(now) }, instantInsert, [interventionId]);
  return { staffed: result.staffed, moved: result.moved.length };
}

/** Confirmed interventions starting before this are kept: the notice period, a service rule. */
async function noticeEnd(now: Date) {
  return new Date(now.getTime() + (await getServiceRules()).scheduleChangeNoticeDays * DAY_MS);
}

/**
 * Weekly optimisation: re-plans a whole week, keeping what is confirmed
 * within the notice period (the people are told their schedule in advance).
 *
 * Up to WEEKLY_EXACT.maxRequests interventions, in the week's smallest
 * independent groups, the exact solver (HiGHS) plans the week (the heuristic
 * the rest), with a node limit so that the same week gives the same plan. A
 * week whose groups are all larger gets the heuristic with its weekly budget
 * (weeklyIterations, some seconds). Larger groups are then re-solved exactly
 * two or three days at a time (WEEKLY_EXACT.windows). Either runs in a worker
 * thread and outside any transaction: the week is read, solved (up to a few
 * minutes; tests lower the limits), then re-read under the week's lock and
 * the plan written only if the week is still the one solved. Otherwise it is
 * solved once more, then left to the heuristic's default budget under the
 * lock (a second or two). A worker killed mid-solve has written nothing; the
 * job is taken up again.
 *
 * A big week (WEEKLY_SPLIT: a city's, thousands of interventions) that splits
 * into independent parts (split.ts: by structure) is solved part by part in
 * child jobs (BullMQ flows), which any worker of any machine takes; this job
 * waits for them (its bar follows theirs, see planning-progress.server.ts),
 * then merges their plans and writes them under the week's lock, if the week
 * is still the one split. Otherwise it plans the week whole, as above.
 */
export async function optimiseWeek(
  payload: JobPayload<"scheduling", "optimise-week">,
  job?: Job,
  now = new Date(),
  limits: WeeklyLimits = WEEKLY_EXACT,
  flow: { token?: string; split?: SplitLimits } = {},
) {
  const week = payload.weekStart ?? addDays(parisWeekStart(now), 7);
  const run = payload.runId ? { id: payload.runId } : await startPlanningRun(week, "schedule", job?.id);
  try {
    // Merging the parts: the notice period is the one the week was split with.
    const policy: PinPolicy = { kind: "notice", lockedBefore: payload.split ? new Date(payload.split.lockedBefore) : await noticeEnd(now) };
    await job?.updateProgress(payload.split ? 75 : 10);
    const started = performance.now();
    const { result, solver, parts } = payload.split ? await mergeParts(week, policy, payload.split, limits, job!) : await splitOrPlan(week, run.id, policy, limits, job, flow);
    await job?.updateProgress(90);
    const stats = {
      week,
      interventions: result.instance.requests.length,
      staffed: result.staffed,
      unstaffed: result.unstaffed,
      moved: result.moved.length,
      milliseconds: Math.round(performance.now() - started),
      solver,
      ...(parts ? { parts } : {}),
    };
    await finishPlanningRun(run.id, "done", stats);
    await job?.updateProgress(100);
    return stats;
  } catch (error) {
    if (error instanceof WaitingChildrenError) throw error; // not an end: the parts are being solved
    await finishPlanningRun(run.id, "failed", { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** Same fingerprint, same week: what a part was cut from (parsed, as the database gives it in a stable order). */
const weekFingerprint = (instance: Instance) => createHash("sha256").update(JSON.stringify(instance)).digest("hex");

/** The split of a week read again: the same week and part count give the same parts (splitWeek is deterministic). */
const partsOf = (instance: Instance, parts: number) => splitWeek(instance, { minRequests: 0, maxParts: parts });

/**
 * A big week that splits: its parts go to child jobs, this job waits for
 * them (WaitingChildrenError: BullMQ runs it again once they are done). Any
 * other week: planned whole, here.
 */
async function splitOrPlan(week: string, runId: string, policy: PinPolicy & { kind: "notice" }, limits: WeeklyLimits, job: Job | undefined, flow: { token?: string; split?: SplitLimits }) {
  const snapshot = parsed(await loadWeekInstance(week, policy));
  const split = job && flow.token ? splitWeek(snapshot, flow.split ?? WEEKLY_SPLIT) : null;
  if (!split || !job || !flow.token) return { ...(await planWeekWithBestSolver(week, policy, limits, job, snapshot)), parts: undefined };
  const info = { snapshot: weekFingerprint(snapshot), parts: split.parts.length, lockedBefore: policy.lockedBefore.toISOString() };
  // Recorded first: taken up again (worker killed), this job adds the same children (same ids: no-ops) and waits again.
  await job.updateData({ ...job.data, runId, split: info });
  await addChildJobs(
    job,
    "optimise-part",
    split.parts.map((_, part) => ({
      jobId: jobIdFor("scheduling", `optimise-part:${runId}:${info.snapshot.slice(0, 16)}:${part}`),
      data: { weekStart: week, runId, part, ...info },
    })),
  );
  await job.updateProgress(30);
  if (await job.moveToWaitingChildren(flow.token)) throw new WaitingChildrenError();
  // Every part already solved (this job run again after its children ended): merge at once.
  return mergeParts(week, policy, info, limits, job);
}

/** What a part's job returns: its plan, on the week it was cut from (or that the week had changed). */
export type PartResult = { part: number; snapshot: string; changed: boolean; plan?: Plan; solver?: WeeklySolverReport };

/**
 * One part of a big week (a child job): reads the week, checks it is the one
 * the parent split, solves its part (worker thread, the weekly solvers) and
 * returns the plan. Writes nothing: run twice, it returns the same plan.
 */
export async function optimisePart(payload: JobPayload<"scheduling", "optimise-part">, job?: Job, limits: WeeklyLimits = WEEKLY_EXACT): Promise<PartResult> {
  const policy: PinPolicy = { kind: "notice", lockedBefore: new Date(payload.lockedBefore) };
  const snapshot = parsed(await loadWeekInstance(payload.weekStart, policy));
  const part = weekFingerprint(snapshot) === payload.snapshot ? partsOf(snapshot, payload.parts)?.parts[payload.part] : undefined;
  if (!part) return { part: payload.part, snapshot: payload.snapshot, changed: true };
  await job?.updateProgress(1);
  const { choice, solved } = await solveWithProgress(part, limits, (progress) => job?.updateProgress(progress), 0, 99);
  await job?.updateProgress(100);
  return { part: payload.part, snapshot: payload.snapshot, changed: false, plan: solved.plan, solver: weeklyReport(choice, solved, part.requests.length, limits) };
}

/**
 * The parts' plans merged and written under the week's lock, if the week is
 * still the one split and every part was solved on it; otherwise the week
 * planned whole (planWeekWithBestSolver), the report saying why.
 */
async function mergeParts(week: string, policy: PinPolicy, split: { snapshot: string; parts: number }, limits: WeeklyLimits, job: Job) {
  const results = Object.values(await job.getChildrenValues<PartResult>());
  const solved = new Map(results.filter((r) => !r.changed && r.snapshot === split.snapshot && r.plan).map((r) => [r.part, r]));
  if (solved.size === split.parts) {
    try {
      const result = await planWeek(week, policy, (instance) => {
        const current = parsed(instance);
        if (weekFingerprint(current) !== split.snapshot) throw new WeekChanged();
        const parts = partsOf(current, split.parts)!;
        return mergePlans([...[...solved.values()].map((r) => r.plan!), unservablePlan(current, parts.unservable)]);
      });
      const reports = [...solved.values()].map((r) => r.solver!);
      return { result, solver: mergedReport(reports, result.instance.requests.length, limits), parts: split.parts };
    } catch (error) {
      if (!(error instanceof WeekChanged)) throw error;
    }
  }
  // The week changed while its parts were solved: planned whole, on the week as it is.
  const whole = await planWeekWithBestSolver(week, policy, limits, job);
  return {
    ...whole,
    solver: { ...whole.solver, notes: [...whole.solver.notes, `la semaine a changé pendant le calcul de ses ${split.parts} parties : planifiée d'un seul tenant`] },
    parts: undefined,
  };
}

/** The parts' solver reports as the week's: proven only if every part is; the largest part's gap bounds the week's. */
function mergedReport(reports: WeeklySolverReport[], requests: number, limits: WeeklyLimits): WeeklySolverReport {
  const allExact = reports.every((r) => r.kind === "exact");
  const gaps = reports.map((r) => r.gapPercent);
  return {
    kind: allExact ? "exact" : "heuristic",
    ...(allExact ? {} : { why: reports.find((r) => r.why)?.why ?? "too-large" }),
    requests,
    maxRequests: limits.maxRequests,
    optimal: reports.every((r) => r.optimal),
    servedOptimal: reports.every((r) => r.servedOptimal),
    gapPercent: allExact && gaps.every((g) => g !== null) ? Math.max(0, ...(gaps as number[])) : null,
    heuristicGroups: reports.reduce((n, r) => n + (r.heuristicGroups ?? 0), 0),
    reproducible: reports.every((r) => r.reproducible),
    seconds: Math.max(0, ...reports.map((r) => r.seconds)),
    notes: [`semaine planifiée en ${reports.length} parties indépendantes, en parallèle`, ...reports.flatMap((r) => r.notes)],
  };
}

/** Exact attempts before the heuristic takes a week that keeps changing. */
const EXACT_ATTEMPTS = 2;

class WeekChanged extends Error {}

async function planWeekWithBestSolver(week: string, policy: PinPolicy, limits: WeeklyLimits, job?: Job, first?: Instance) {
  for (let attempt = 1; attempt <= EXACT_ATTEMPTS; attempt++) {
    // Read without the lock: the solve may take a minute, the lock is for the write.
    const snapshot = attempt === 1 && first ? first : parsed(await loadWeekInstance(week, policy));
    if (snapshot.requests.length === 0) {
      const result = await planWeek(week, policy, (instance) => solveInstance(instance));
      return { result, solver: weeklyReport({ kind: "heuristic", why: "empty" }, undefined, result.instance.requests.length, limits) };
    }
    await job?.updateProgress(30);
    const { choice, solved } = await solveWithProgress(snapshot, limits, (progress) => job?.updateProgress(progress), 30, 75);
    await job?.updateProgress(80);
    try {
      const result = await planWeek(week, policy, (instance) => {
        if (!sameInstance(parsed(instance), snapshot)) throw new WeekChanged();
        return solved.plan;
      });
      const solver = weeklyReport(choice, solved, snapshot.requests.length, limits);
      return { result, solver };
    } catch (error) {
      if (!(error instanceof WeekChanged)) throw error;
    }
  }
  // Fast (the default budget): solved under the lock, on the week as it is then.
  const result = await planWeek(week, policy, (instance) => solveInstance(instance));
  return { result, solver: weeklyReport({ kind: "heuristic", why: "week-changed" }, undefined, result.instance.requests.length, limits) };
}

/**
 * Solves a week (or a part of one) with the weekly solvers, in a worker
 * thread. The bar goes from `from` to `to` while solving, never back: with the
 * search's own progress for the heuristic, and the time since its last news
 * when a solve is silent. HiGHS tells nothing, so the exact solver's bar goes
 * with the time spent (exactSolveShare: a curve that nears the end without reaching it).
 */
async function solveWithProgress(instance: Instance, limits: WeeklyLimits, report: (progress: number) => Promise<void> | undefined, from: number, to: number) {
  const choice = chooseSolverFor(instance, limits);
  let shown = from;
  const span = to - from;
  const show = (share: number) => {
    const progress = from + Math.max(1, Math.min(span, Math.floor(span * share)));
    if (progress > shown) void report((shown = progress))?.catch(() => {});
  };
  const solving = Date.now();
  let news = { share: 0, at: solving };
  const searchProgress = (share: number) => {
    news = { share, at: Date.now() };
    show(share);
  };
  const ticker = setInterval(() => {
    const now = Date.now();
    show(choice.kind === "exact" ? exactSolveShare((now - solving) / 1000) : silentSearchShare(news.share, (now - news.at) / 1000));
  }, 2000);
  // Both in a worker thread, with the weekly budget for the heuristic (alone, or as the exact solver's start).
  const iterations = weeklyIterations(instance.requests.length);
  const solved: ExactResult = await solveWeekSafely(instance, choice, limits, iterations, searchProgress).finally(() => clearInterval(ticker));
  return { choice, solved };
}
