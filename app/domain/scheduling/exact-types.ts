// What the exact pipeline (exact-pipeline.ts) takes and gives back: its
// options, its result and the figures of what it proved. Types only, so the
// planning board and the weekly job's report (weekly-solver.ts) read them
// without loading HiGHS.
import type { Plan } from "./instance";
import type { Objective } from "./objective";

export interface ExactOptions {
  /** Wall-clock budget for all solves, in seconds (default 30). */
  timeLimitSeconds?: number;
  /** Branch-and-bound node limit per solve; unlike a time limit it keeps results reproducible. */
  nodeLimit?: number;
  /** Components with more columns than this are left to the heuristic (default 150,000). */
  maxColumns?: number;
  /** Skip the travel stage when its rows would hold more nonzeros than this (default 400,000). */
  maxTravelNonzeros?: number;
  /** Seed of the heuristic used as a warm start and fallback. */
  seed?: number;
  /** Local-search iterations of that heuristic (default: defaultIterations; the weekly job gives weeklyIterations). */
  iterations?: number;
  /**
   * Most interventions solved exactly in all, smallest independent groups first
   * (default: no limit); larger groups, and those beyond the budget, keep the
   * heuristic's plan. The weekly optimisation sets it so a big week made of
   * small groups still has each of them proven, within the solver's time.
   */
  maxExactRequests?: number;
  /**
   * Groups left to the heuristic are then improved by the solver a few days
   * at a time, the rest of the week fixed (exact-refine.ts). Off by default.
   */
  windows?: WindowOptions;
  /** The solver's memory budget (default SOLVER_MEMORY.budgetBytes; tests pass smaller ones). */
  memoryBudgetBytes?: number;
}

export interface WindowOptions {
  /** Largest window given to the solver, in candidate starts (interventions without a time window have one). */
  maxStarts: number;
  /** Most days in a window. */
  maxDays: number;
  /** A day in no window of several days is solved alone up to this many candidate starts (default: maxStarts). */
  maxDayStarts?: number;
  /** Most windows solved for the whole week: the limit meant to bind (reproducible). */
  maxSolves: number;
  /** Groups of at most this many candidate starts are then solved whole, from the windows' plan (0: never). */
  maxWholeStarts: number;
  /**
   * Branch-and-bound nodes of that whole solve's served-minutes stage (default:
   * nodeLimit): closing the last steps of the gap takes hundreds. Its shortfall
   * stage keeps nodeLimit.
   */
  wholeNodeLimit?: number;
  /**
   * Before its whole solve, a group of more than `minStarts` candidate starts
   * is priced by column generation, up to `rounds` rounds (its bound), and
   * solved cut to the relaxation's support with wholeNodeLimit nodes
   * (exact-columns.ts). Absent: never.
   */
  columns?: { rounds: number; minStarts: number };
}

export interface ExactStats {
  /** True when every component was solved to proven optimality on all four levels. */
  optimal: boolean;
  /** True when levels 1-2 (pins kept, served participant-minutes) are proven optimal. */
  servedOptimal: boolean;
  /** True when levels 1-3 (pins, served minutes, shortfall) are proven optimal. */
  optimalUpToShortfall: boolean;
  /** Relative gap on level 1-2 (BIG x pins + served): (bound - found) / found; 0 when proven. */
  gap: number;
  /** Upper bound on served participant-minutes (from the solver's dual bound), when pins are all kept. */
  servedUpperBound: number;
  objective: Objective;
  heuristicObjective: Objective;
  components: number;
  /** Components whose levels 1-3 the solver did not prove (too large, limit reached, no solution). */
  unprovenComponents: number;
  /** Components left to the heuristic entirely (too large or no solver solution). */
  heuristicComponents: number;
  travelStageSkipped: number;
  /** Solver stages stopped by the wall-clock limit: the result may differ from one run to the next. */
  timeLimitStops: number;
  /** Solver stages stopped by the node limit (or another deterministic limit): reproducible. */
  nodeLimitStops: number;
  columns: number;
  rows: number;
  seconds: number;
  notes: string[];
  /** Windows of days re-solved exactly in groups left to the heuristic, and how many improved the plan. */
  windowsSolved?: number;
  windowsImproved?: number;
  /** The plan is a fallback's (deadline, worker thread lost, solver error): another run may differ. */
  fellBack?: boolean;
}

export interface ExactResult {
  plan: Plan;
  stats: ExactStats;
}

/** What the worker thread runs (exact.ts): the exact pipeline, or the weekly search of a week too big for it. */
export type WorkerMode = "exact" | "heuristic";
