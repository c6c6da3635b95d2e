// Stage "exact windows" of the pipeline (exact-pipeline.ts), for the groups
// too big for the MIP as a whole: the plan is re-solved exactly a few days at
// a time, with the rest of the week fixed, and a window's new plan is kept
// only when the whole week's objective improves.
//
// Why days: a person's days are tied together only by the weekly cap and the
// weekly target (travel and overlaps stay within a day). With the other days
// fixed, both become plain numbers (the cap and the target minus the minutes
// fixed elsewhere), so the window's model is exactly the week's objective
// restricted to those days. Windows are two or three days: the heuristic's
// plateau at 200 interventions was a rearrangement across days (small
// interventions in, large ones out) that its own moves do not reach. A day
// too big to pair with another is still re-solved alone.
//
// Reproducible: the order of the windows depends only on the plan, each solve
// stops at a node limit, and the number of solves is bounded; a time limit
// only guards a loaded machine (counted in stops).
import { buildModelWithinBudget, type Highs } from "./exact-model";
import { planWithout, planWithOutcome, solveModel } from "./exact-solve";
import type { WindowOptions } from "./exact-types";
import { compareObjectives } from "./objective";
import { dayOf, startIsPossible, type Problem } from "./problem";
import { PlanState } from "./state";

/**
 * The shortfall stage of a window (and of a whole-group solve) stops within
 * 5 % of its bound: proving the last minutes took up to 25 s per window, and
 * the served minutes, proven first, are what the windows are for. On a
 * generated 200-intervention week: 44,670 served minutes in 82 s, against
 * 44,700 in 177 s with 0.
 */
export const WINDOW_SHORTFALL_GAP = 0.05;

export interface RefineOptions {
  /** Largest window given to the solver, in candidate starts (an intervention with a time window has several). */
  maxWindowStarts: number;
  /** Most days in a window (2 or 3). */
  maxWindowDays: number;
  /** A day in no window of several days is a window alone up to this many candidate starts (default: maxWindowStarts). */
  maxDayStarts?: number;
  /** Most windows solved in all: the budget meant to bind, so the same week gives the same plan. */
  maxSolves: number;
  /** Branch-and-bound nodes per solver stage (reproducibility). */
  nodeLimit?: number;
  /** performance.now() after which no window is started: a safety on a loaded machine (counted in stops). */
  deadline: number;
  maxColumns?: number;
  memoryBudgetBytes?: number;
  onProgress?: (share: number) => void;
}

export interface RefineReport {
  windows: number;
  solved: number;
  improved: number;
  /** Windows left unsolved because the deadline passed: another run may give another plan. */
  stoppedByDeadline: boolean;
  stops: { time: number; nodes: number };
}

/**
 * The windows of a group: every set of 2 to maxDays of its days whose
 * interventions have at most maxStarts candidate starts in all (in day
 * order), then each day in none of them that has at most maxDayStarts on its
 * own. Candidate starts, not interventions, measure the model: a time window
 * multiplies its columns.
 */
export function dayWindows(problem: Problem, requests: number[], maxStarts: number, maxDays: number, maxDayStarts = maxStarts): number[][] {
  const byDay = new Map<number, number[]>();
  const startsOfDay = new Map<number, number>();
  for (const r of requests) {
    const day = dayOf(problem.requests[r].starts[0]);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day)!.push(r);
    startsOfDay.set(day, (startsOfDay.get(day) ?? 0) + problem.requests[r].starts.length);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const windows: number[][] = [];
  const covered = new Set<number>();
  const extend = (from: number, chosen: number[], size: number) => {
    if (chosen.length >= 2) {
      windows.push(chosen.flatMap((day) => byDay.get(day)!).sort((a, b) => a - b));
      for (const day of chosen) covered.add(day);
    }
    if (chosen.length === maxDays) return;
    for (let i = from; i < days.length; i++) {
      const added = startsOfDay.get(days[i])!;
      if (size + added <= maxStarts) extend(i + 1, [...chosen, days[i]], size + added);
    }
  };
  extend(0, [], 0);
  const singles = days.filter((day) => !covered.has(day) && startsOfDay.get(day)! <= maxDayStarts);
  return [...windows, ...singles.map((day) => byDay.get(day)!)];
}

/**
 * Improves `initial` (a valid plan of the whole problem) window by window
 * over `requests`, one independent group, in passes until a pass improves
 * nothing or maxSolves is spent. A window whose last
 * solve was proven optimal is skipped while the minutes fixed around it are
 * unchanged: solving it again could not do better.
 */
export function refineByDayWindows(highs: Highs, problem: Problem, initial: PlanState, requests: number[], options: RefineOptions): { state: PlanState; report: RefineReport } {
  const windows = dayWindows(problem, requests, options.maxWindowStarts, options.maxWindowDays, options.maxDayStarts);
  const report: RefineReport = { windows: windows.length, solved: 0, improved: 0, stoppedByDeadline: false, stops: { time: 0, nodes: 0 } };
  const provenAround: Array<string | null> = windows.map(() => null);
  let state = initial;
  // Passes over the windows, those with the most unserved minutes first; a pass that improves nothing ends it.
  for (let improvedInPass = true; improvedInPass; ) {
    improvedInPass = false;
    const unserved = windows.map((window) => window.reduce((sum, r) => sum + (state.isAssigned(r) ? 0 : problem.requests[r].value), 0));
    const order = windows.map((_, w) => w).sort((a, b) => unserved[b] - unserved[a] || a - b);
    for (const w of order) {
      if (report.solved >= options.maxSolves) return finish();
      const fixed = planWithout(problem, state, windows[w]);
      const around = fixed.minutes.join(",");
      if (provenAround[w] === around) continue;
      const seconds = (options.deadline - performance.now()) / 1000;
      if (seconds <= 0) {
        report.stoppedByDeadline = true;
        return finish();
      }
      options.onProgress?.(report.solved / options.maxSolves);
      const outcome = solveWindow(highs, problem, state, fixed, windows[w], seconds, options, report);
      if (!outcome) continue;
      provenAround[w] = outcome.proven ? around : null;
      if (compareObjectives(outcome.state.objective(), state.objective()) > 0) {
        state = outcome.state;
        report.improved++;
        improvedInPass = true;
      }
    }
  }
  return finish();

  function finish() {
    options.onProgress?.(1);
    return { state, report };
  }
}

/**
 * The whole plan with `window` re-solved exactly (pins, served minutes, then
 * shortfall; travel is left to the heuristic's polish), the rest as in
 * `fixed`; null when the solver gives nothing.
 */
function solveWindow(
  highs: Highs,
  problem: Problem,
  state: PlanState,
  fixed: PlanState,
  window: number[],
  seconds: number,
  options: RefineOptions,
  report: RefineReport,
): { state: PlanState; proven: boolean } | null {
  const sub = windowProblem(problem, fixed, window);
  const warm = new PlanState(sub);
  for (const r of window) {
    const staffing = state.staffing(r);
    if (staffing) warm.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
  }
  const possible = window.filter((r) => sub.requests[r].starts.some((_, k) => startIsPossible(sub, r, k)));
  const model = buildModelWithinBudget(sub, possible, 0, "fenêtre", options.memoryBudgetBytes);
  if (typeof model === "string" || model.numCols === 0 || model.numCols > (options.maxColumns ?? 150_000)) return null;
  const outcome = solveModel(highs, sub, model, warm, seconds, options.nodeLimit, report.stops, { gap: WINDOW_SHORTFALL_GAP });
  report.solved++;
  if (!outcome) return null;
  return { state: planWithOutcome(problem, state, window, outcome), proven: outcome.provenUpToShortfall };
}

/**
 * The problem seen from one window: each person's cap and target less the
 * minutes fixed outside it, and only the people still free for each start.
 */
function windowProblem(problem: Problem, fixed: PlanState, window: number[]): Problem {
  const people = problem.people.map((person) => ({
    ...person,
    capMinutes: person.capMinutes - fixed.minutes[person.index],
    targetMinutes: Math.max(0, person.targetMinutes - fixed.minutes[person.index]),
  }));
  const eligibleSupervisors = problem.eligibleSupervisors.slice();
  const eligibleParticipants = problem.eligibleParticipants.slice();
  for (const r of window) {
    eligibleSupervisors[r] = problem.eligibleSupervisors[r].map((candidates, k) => candidates.filter((p) => fixed.isFree(p, r, k)));
    eligibleParticipants[r] = problem.eligibleParticipants[r].map((candidates, k) => candidates.filter((p) => fixed.isFree(p, r, k)));
  }
  return { ...problem, people, eligibleSupervisors, eligibleParticipants };
}

/** What the windows did over several groups. */
export interface WindowsRefinement {
  state: PlanState;
  solved: number;
  improved: number;
  /** Solver stages or windows stopped by the clock: another run may give another plan. */
  timeStops: number;
  nodeStops: number;
  /** The groups the windows reached before their shared budget of solves ran out, in order. */
  reached: number[][];
}

/**
 * refineByDayWindows over several independent groups, in order, sharing one
 * budget of solves (windows.maxSolves) and one deadline.
 */
export function refineWindows(
  highs: Highs,
  problem: Problem,
  initial: PlanState,
  groups: number[][],
  windows: WindowOptions,
  limits: { nodeLimit?: number; deadline: number; maxColumns?: number; memoryBudgetBytes?: number; onProgress?: (share: number) => void },
): WindowsRefinement {
  const result: WindowsRefinement = { state: initial, solved: 0, improved: 0, timeStops: 0, nodeStops: 0, reached: [] };
  for (const group of groups) {
    const left = windows.maxSolves - result.solved;
    if (left <= 0) break;
    const used = result.solved;
    const { state, report } = refineByDayWindows(highs, problem, result.state, group, {
      maxWindowStarts: windows.maxStarts,
      maxWindowDays: windows.maxDays,
      maxDayStarts: windows.maxDayStarts,
      maxSolves: left,
      nodeLimit: limits.nodeLimit,
      deadline: limits.deadline,
      maxColumns: limits.maxColumns,
      memoryBudgetBytes: limits.memoryBudgetBytes,
      onProgress: limits.onProgress && ((share) => limits.onProgress!((used + share * left) / windows.maxSolves)),
    });
    result.state = state;
    result.reached.push(group);
    result.solved += report.solved;
    result.improved += report.improved;
    result.timeStops += report.stops.time + (report.stoppedByDeadline ? 1 : 0);
    result.nodeStops += report.stops.nodes;
  }
  return result;
}

/** The windows' line in a run report, in French (`servedGain`: minutes served more than the plan they were given). */
export function describeRefinement(refinement: { solved: number; improved: number; servedGain: number }): string {
  const solves = `${refinement.solved} résolution${refinement.solved > 1 ? "s" : ""}`;
  const intro = "puis revu par le solveur exact, un à trois jours à la fois, le reste de la semaine fixé";
  if (refinement.improved === 0) return `${intro} : aucune amélioration en ${solves}`;
  const gain = refinement.servedGain > 0 ? `${refinement.servedGain.toLocaleString("fr-FR")} minutes de travail servies en plus` : "autant de minutes servies, mieux réparties";
  return `${intro} : ${refinement.improved} amélioration${refinement.improved > 1 ? "s" : ""} en ${solves}, ${gain}`;
}
