import { UnrecoverableError, type Job } from "bullmq";
import {
  finishPlanningRun,
  getIntervention,
  interventionsToStaff,
  loadWeekInstance,
  planWeek,
  staffWaitingInWeek,
  startPlanningRun,
  type PinPolicy,
} from "~/data/scheduling.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { insertIntoPlan, solve, weeklyIterations, type SolveOptions } from "~/domain/scheduling/engine.ts";
import { chooseSolverFor, solveWeekSafely } from "~/domain/scheduling/exact.ts";
import { exactSolveShare, sameInstance, silentSearchShare, WEEKLY_EXACT, weeklyReport, type WeeklyLimits } from "~/domain/scheduling/weekly-solver.ts";
import { parseInstance, type Instance, type Plan } from "~/domain/scheduling/instance.ts";
import type { JobPayload } from "~/queues/registry.ts";
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
  const waiting = await interventionsToStaff(requestId);
  let staffed = 0;
  for (const [week, ids] of byWeek(waiting)) {
    const { scheduled } = await staffWeek(week);
    staffed += ids.filter((id) => scheduled.has(id)).length;
  }
  return { interventions: waiting.length, staffed };
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
 */
export async function optimiseWeek(
  payload: JobPayload<"scheduling", "optimise-week">,
  job?: Job,
  now = new Date(),
  limits: WeeklyLimits = WEEKLY_EXACT,
) {
  const week = payload.weekStart ?? addDays(parisWeekStart(now), 7);
  const run = payload.runId ? { id: payload.runId } : await startPlanningRun(week, "schedule", job?.id);
  try {
    const policy: PinPolicy = { kind: "notice", lockedBefore: await noticeEnd(now) };
    await job?.updateProgress(10);
    const started = performance.now();
    const { result, solver } = await planWeekWithBestSolver(week, policy, limits, job);
    await job?.updateProgress(90);
    const stats = {
      week,
      interventions: result.instance.requests.length,
      staffed: result.staffed,
      unstaffed: result.unstaffed,
      moved: result.moved.length,
      milliseconds: Math.round(performance.now() - started),
      solver,
    };
    await finishPlanningRun(run.id, "done", stats);
    await job?.updateProgress(100);
    return stats;
  } catch (error) {
    await finishPlanningRun(run.id, "failed", { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** Exact attempts before the heuristic takes a week that keeps changing. */
const EXACT_ATTEMPTS = 2;

class WeekChanged extends Error {}

async function planWeekWithBestSolver(week: string, policy: PinPolicy, limits: WeeklyLimits, job?: Job) {
  for (let attempt = 1; attempt <= EXACT_ATTEMPTS; attempt++) {
    // Read without the lock: the solve may take a minute, the lock is for the write.
    const snapshot = parsed(await loadWeekInstance(week, policy));
    const choice = chooseSolverFor(snapshot, limits);
    if (choice.kind === "heuristic" && choice.why === "empty") {
      const result = await planWeek(week, policy, (instance) => solveInstance(instance));
      return { result, solver: weeklyReport(choice, undefined, result.instance.requests.length, limits) };
    }
    await job?.updateProgress(30);
    // The bar goes from 30 to 75 while solving, never back: with the search's
    // own progress for the heuristic, and the time since its last news when a
    // solve is silent. HiGHS tells nothing, so the exact solver's bar goes with
    // the time spent (exactSolveShare: a curve that nears the end without reaching it).
    let shown = 30;
    const show = (share: number) => {
      const progress = 30 + Math.max(1, Math.min(45, Math.floor(45 * share)));
      if (progress > shown) void job?.updateProgress((shown = progress)).catch(() => {});
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
    const iterations = weeklyIterations(snapshot.requests.length);
    const solved = await solveWeekSafely(snapshot, choice, limits, iterations, searchProgress).finally(() => clearInterval(ticker));
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
