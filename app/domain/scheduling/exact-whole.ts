// Stage "whole-group solve" of the pipeline (exact-pipeline.ts): a group
// small enough (at most windows.maxWholeStarts candidate starts) is solved
// whole, warm-started from the windows' plan (a good incumbent lets the solver
// prove or close the gap within its node limit): pins and served minutes,
// then the shortfall, travel left to the heuristic's polish. It proves the
// group's served minutes maximal, or bounds them.
import { buildModelWithinBudget, type Highs } from "./exact-model";
import { WINDOW_SHORTFALL_GAP } from "./exact-refine";
import { planWithOutcome, solveModel } from "./exact-solve";
import { compareObjectives } from "./objective";
import type { Problem } from "./problem";
import type { PlanState } from "./state";

/** One group solved whole: what the plan serves of it, the solver's bound, and whether it proved the plan's served minutes maximal. */
export interface WholeGroup {
  group: number[];
  served: number;
  servedBound: number;
  proven: boolean;
}

export interface WholeGroupsSolved {
  state: PlanState;
  improved: number;
  timeStops: number;
  nodeStops: number;
  wholeGroups: WholeGroup[];
}

export interface WholeLimits {
  /** Nodes of the shortfall stage. */
  nodeLimit?: number;
  /** Nodes of the served-minutes stage (the last steps of the gap take hundreds). */
  servedNodeLimit?: number;
  deadline: number;
  maxColumns?: number;
  memoryBudgetBytes?: number;
}

/** Each of `groups` of at most maxWholeStarts candidate starts solved whole, in order, from `initial`. */
export function solveWholeGroups(
  highs: Highs,
  problem: Problem,
  initial: PlanState,
  groups: number[][],
  maxWholeStarts: number,
  limits: WholeLimits & { onProgress?: (share: number) => void },
): WholeGroupsSolved {
  const result: WholeGroupsSolved = { state: initial, improved: 0, timeStops: 0, nodeStops: 0, wholeGroups: [] };
  for (const [index, group] of groups.entries()) {
    if (!fitsWhole(problem, group, maxWholeStarts)) continue;
    const whole = solveWholeGroup(highs, problem, result.state, group, limits);
    if (!whole) continue;
    result.timeStops += whole.stops.time;
    result.nodeStops += whole.stops.nodes;
    if (compareObjectives(whole.state.objective(), result.state.objective()) > 0) {
      result.state = whole.state;
      result.improved++;
    }
    // The polish after this stage keeps every request as it is: this stays the group's served minutes.
    const served = group.reduce((sum, r) => sum + (result.state.isAssigned(r) ? problem.requests[r].value : 0), 0);
    result.wholeGroups.push({ group, served, servedBound: whole.servedBound, proven: whole.proven });
    limits.onProgress?.((index + 1) / groups.length);
  }
  return result;
}

/** True when a group is small enough to be solved whole: at most maxWholeStarts candidate starts. */
export function fitsWhole(problem: Problem, group: number[], maxWholeStarts: number): boolean {
  return group.reduce((sum, r) => sum + problem.requests[r].starts.length, 0) <= maxWholeStarts;
}

function solveWholeGroup(
  highs: Highs,
  problem: Problem,
  state: PlanState,
  group: number[],
  limits: WholeLimits,
): { state: PlanState; servedBound: number; proven: boolean; stops: { time: number; nodes: number } } | null {
  const seconds = (limits.deadline - performance.now()) / 1000;
  if (seconds <= 0) return null;
  const model = buildModelWithinBudget(problem, group, 0, "groupe entier", limits.memoryBudgetBytes);
  if (typeof model === "string" || model.numCols === 0 || model.numCols > (limits.maxColumns ?? 150_000)) return null;
  const stops = { time: 0, nodes: 0 };
  const outcome = solveModel(highs, problem, model, state, seconds, limits.servedNodeLimit, stops, {
    gap: WINDOW_SHORTFALL_GAP,
    nodeLimit: limits.nodeLimit,
  });
  if (!outcome) return null;
  const groupValue = group.reduce((sum, r) => sum + problem.requests[r].value, 0);
  return {
    state: planWithOutcome(problem, state, group, outcome),
    servedBound: Math.min(groupValue, outcome.stage1Bound - model.big * outcome.pinnedKept),
    proven: outcome.provenServed,
    stops,
  };
}

/** What the whole-group solves established, in French (null when none ran). */
export function describeWholeGroups(refinement: { wholeGroups: WholeGroup[] }): string | null {
  const groups = refinement.wholeGroups;
  if (groups.length === 0) return null;
  const what = groups.length > 1 ? "puis chaque groupe résolu en entier" : "puis le groupe résolu en entier";
  if (groups.every((g) => g.proven)) return `${what} : minutes servies au maximum, prouvé par le solveur exact`;
  const served = groups.reduce((sum, g) => sum + g.served, 0);
  const bound = groups.reduce((sum, g) => sum + g.servedBound, 0);
  const gap = served > 0 ? (Math.max(0, bound - served) / served) * 100 : 0;
  return `${what} : minutes servies à ${gap.toLocaleString("fr-FR", { maximumFractionDigits: 2 })} % au plus de l'optimum (limite du solveur atteinte)`;
}
