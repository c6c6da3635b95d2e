// The weekly optimisation, stage by stage. Everything the exact solver does
// to a week is called from here, in this order, and each stage is a file
// that imports none of the others' callers:
//
//   instance → problem (problem.ts, compiled by the caller)
//     → heuristic (engine.ts: greedy, local search, polish)
//     → exact groups (exact-groups.ts: each small independent group solved
//       whole by the MIP, from the heuristic's plan)
//     → exact windows (exact-refine.ts: larger groups re-solved a few days
//       at a time, the rest of the week fixed)
//     → columns (exact-columns.ts: a group small enough to be solved whole
//       but large, priced by column generation on person-weeks for a bound,
//       and solved cut to the relaxation's support)
//     → whole-group solve (exact-whole.ts: a larger group of up to
//       maxWholeStarts candidate starts solved whole from that plan, which
//       proves or bounds its served minutes; the tighter bound is kept)
//     → polish (engine.ts, travel and shortfall) → result (exact-result.ts)
//
// Below them: exact-model.ts builds a model (and sizes it against the
// solver's memory budget), exact-solve.ts solves one with HiGHS. Above:
// exact.ts runs this in a worker thread and chooses the mode.
//
// Synchronous and CPU-bound. Reproducible: node limits and a bounded number
// of solves, never the clock, decide the plan; a time limit only guards a
// loaded machine, and the stats count the stages it stopped.
import { polishState, solveProblem } from "./engine";
import { describeColumnStage, solveGroupsByColumns, withColumnBounds } from "./exact-columns";
import { findComponents, type Highs } from "./exact-model";
import { solveSmallGroups } from "./exact-groups";
import { describeRefinement, refineWindows } from "./exact-refine";
import { checkedResult, heuristicPlanResult } from "./exact-result";
import type { ExactOptions, ExactResult, WindowOptions } from "./exact-types";
import { describeWholeGroups, fitsWhole, solveWholeGroups, type WholeGroup } from "./exact-whole";
import type { Problem } from "./problem";
import type { PlanState } from "./state";

/**
 * The exact mode (a week with some group of at most maxExactRequests
 * interventions): heuristic, exact groups, then windows and whole-group
 * solves on the groups left to the heuristic.
 */
export function solveExactWith(highs: Highs, problem: Problem, options: ExactOptions = {}): ExactResult {
  const started = performance.now();
  const deadline = started + (options.timeLimitSeconds ?? 30) * 1000;
  const heuristic = solveProblem(problem, { seed: options.seed, iterations: options.iterations }).state;
  const components = findComponents(problem);
  const groups = solveSmallGroups(highs, problem, heuristic, components, options, deadline);
  const stops = { ...groups.stops };
  const notes = groups.notes;
  let final = groups.state;
  let refinement: GroupsRefinement | null = null;
  if (options.windows && groups.leftToHeuristic.length > 0 && !groups.solverLost) {
    refinement = refineGroups(highs, problem, final, groups.leftToHeuristic, options.windows, { ...options, deadline });
    final = refinement.state;
    stops.time += refinement.timeStops;
    stops.nodes += refinement.nodeStops;
    notes.push(...refinementNotes(refinement));
  }
  // A group left to the heuristic is bounded by its whole-group solve, else by all it could serve.
  let { gapNumerator, gapDenominator, servedUpperBound } = groups;
  for (const component of groups.leftToHeuristic) {
    const solvedWhole = refinement?.wholeGroups.find((g) => g.group === component);
    const bound = solvedWhole ? solvedWhole.servedBound : component.reduce((sum, r) => sum + problem.requests[r].value, 0);
    const kept = component.reduce((sum, r) => sum + (final.isAssigned(r) ? problem.requests[r].value : 0), 0);
    servedUpperBound += bound;
    gapNumerator += Math.max(0, bound - kept);
    gapDenominator += kept;
  }
  return checkedResult(
    problem,
    final,
    heuristic,
    {
      components: components.length,
      travelStageSkipped: groups.travelStageSkipped,
      timeLimitStops: stops.time,
      nodeLimitStops: stops.nodes,
      columns: groups.columns,
      rows: groups.rows,
      seconds: (performance.now() - started) / 1000,
      notes,
    },
    {
      optimal: groups.optimal,
      servedOptimal: groups.servedOptimal,
      optimalUpToShortfall: groups.optimalUpToShortfall,
      gap: gapDenominator > 0 ? gapNumerator / gapDenominator : 0,
      servedUpperBound,
      unprovenComponents: groups.unprovenComponents,
      heuristicComponents: groups.heuristicComponents,
      ...(refinement ? { windowsSolved: refinement.solved, windowsImproved: refinement.improved } : {}),
    },
  );
}

/**
 * The weekly search of a week too big for the exact mode (every group over
 * maxExactRequests): the heuristic with options.iterations, then, with
 * options.windows, windows and whole-group solves on every group until
 * windows.maxSolves or the time limit. Progress: the search, then the rest.
 */
export function weeklySearchResult(highs: Highs, problem: Problem, options: ExactOptions, onProgress?: (share: number) => void): ExactResult {
  const started = performance.now();
  const searchShare = options.windows ? 0.3 : 1;
  const { state } = solveProblem(problem, { seed: options.seed, iterations: options.iterations, onProgress: onProgress && ((share) => onProgress(share * searchShare)) });
  if (!options.windows) return heuristicPlanResult(state, { seconds: (performance.now() - started) / 1000, notes: [] });
  const groups = findComponents(problem);
  const refinement = refineGroups(highs, problem, state, groups, options.windows, {
    ...options,
    deadline: started + (options.timeLimitSeconds ?? 30) * 1000,
    onProgress: onProgress && ((share) => onProgress(searchShare + share * (1 - searchShare))),
  });
  // Every group solved whole: their bounds bound the week, and may prove it.
  const bounded = groups.length > 0 && refinement.wholeGroups.length === groups.length;
  return heuristicPlanResult(refinement.state, {
    ...(bounded
      ? {
          servedUpperBound: refinement.wholeGroups.reduce((sum, g) => sum + g.servedBound, 0),
          servedOptimal: refinement.wholeGroups.every((g) => g.proven),
        }
      : {}),
    seconds: (performance.now() - started) / 1000,
    notes: refinementNotes(refinement),
    heuristicObjective: state.objective(),
    timeLimitStops: refinement.timeStops,
    nodeLimitStops: refinement.nodeStops,
    windowsSolved: refinement.solved,
    windowsImproved: refinement.improved,
  });
}

/** The heuristic alone with its default budget, as a fallback (why in `note`): nothing proven, no bound. */
export function heuristicFallbackResult(problem: Problem, seed: number | undefined, note: string): ExactResult {
  const started = performance.now();
  const { state } = solveProblem(problem, { seed });
  return heuristicPlanResult(state, { seconds: (performance.now() - started) / 1000, notes: [note], fellBack: true });
}

/** What the windows and whole-group solves did to the groups left to the heuristic. */
export interface GroupsRefinement {
  state: PlanState;
  solved: number;
  improved: number;
  /** Solver stages or windows stopped by the clock: another run may give another plan. */
  timeStops: number;
  nodeStops: number;
  /** Served participant-minutes gained over the plan given. */
  servedGain: number;
  /** The whole-group solves: the solver's bound on each group's served minutes, and whether it proved them maximal. */
  wholeGroups: WholeGroup[];
  /** The column stage (exact-columns.ts): groups priced, bounds it tightened, plans it improved; null when it priced none. */
  columns: { priced: number; tightened: number; improved: number } | null;
}

export interface RefineLimits {
  nodeLimit?: number;
  deadline: number;
  maxColumns?: number;
  seed?: number;
  memoryBudgetBytes?: number;
  onProgress?: (share: number) => void;
}

/**
 * Groups too big for the exact groups stage: windows (sharing one budget of
 * solves), then the whole-group solve of those the windows reached and that
 * are small enough, then the heuristic's polish (travel, which both leave
 * aside) when anything changed.
 */
export function refineGroups(highs: Highs, problem: Problem, initial: PlanState, groups: number[][], windows: WindowOptions, limits: RefineLimits): GroupsRefinement {
  // The progress bar: the windows, then the whole solves (often the longer part) when there are any.
  const windowsShare = groups.some((group) => fitsWhole(problem, group, windows.maxWholeStarts)) ? 0.4 : 1;
  let reported = 0;
  const progress = limits.onProgress && ((share: number) => limits.onProgress!((reported = Math.max(reported, share))));
  const windowed = refineWindows(highs, problem, initial, groups, windows, {
    ...limits,
    onProgress: progress && ((share) => progress(windowsShare * share)),
  });
  const columns = windows.columns
    ? solveGroupsByColumns(
        highs,
        problem,
        windowed.state,
        windowed.reached.filter((group) => fitsWhole(problem, group, windows.maxWholeStarts) && !fitsWhole(problem, group, windows.columns!.minStarts)),
        {
          rounds: windows.columns.rounds,
          servedNodeLimit: windows.wholeNodeLimit ?? limits.nodeLimit,
          nodeLimit: limits.nodeLimit,
          deadline: limits.deadline,
          memoryBudgetBytes: limits.memoryBudgetBytes,
        },
      )
    : null;
  const whole = solveWholeGroups(highs, problem, columns?.state ?? windowed.state, windowed.reached, windows.maxWholeStarts, {
    nodeLimit: limits.nodeLimit,
    servedNodeLimit: windows.wholeNodeLimit ?? limits.nodeLimit,
    deadline: limits.deadline,
    maxColumns: limits.maxColumns,
    memoryBudgetBytes: limits.memoryBudgetBytes,
    onProgress: progress && ((share) => progress(windowsShare + (1 - windowsShare) * share)),
  });
  const bounded = withColumnBounds(whole.wholeGroups, columns?.bounds ?? new Map());
  const improved = windowed.improved + (columns?.improved ?? 0) + whole.improved;
  const state = improved > 0 ? polishState(problem, whole.state, limits.seed) : whole.state;
  progress?.(1);
  return {
    state,
    solved: windowed.solved,
    improved,
    timeStops: windowed.timeStops + whole.timeStops + (columns?.timeStops ?? 0),
    nodeStops: windowed.nodeStops + whole.nodeStops + (columns?.nodeStops ?? 0),
    servedGain: state.served - initial.served,
    wholeGroups: bounded.wholeGroups,
    columns: columns && columns.priced > 0 ? { priced: columns.priced, tightened: bounded.tightened, improved: columns.improved } : null,
  };
}

/** The run report's lines on a refinement, in French, in the order the stages ran: the windows (when any ran), the column stage, the whole-group solves' result. */
export function refinementNotes(refinement: GroupsRefinement): string[] {
  const whole = describeWholeGroups(refinement);
  const columns = refinement.columns ? describeColumnStage(refinement.columns) : null;
  return [...(refinement.solved > 0 ? [describeRefinement(refinement)] : []), ...(columns ? [columns] : []), ...(whole ? [whole] : [])];
}
