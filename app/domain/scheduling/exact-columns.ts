// Stage "columns" of the pipeline (exact-pipeline.ts), between the windows
// and the whole-group solve: each group small enough to be solved whole is
// priced by column generation on person-weeks (columns.ts), whose bound is
// kept when tighter than the whole solve's, then solved by the compact model
// cut to the people the relaxation uses at each start (its support), from
// the plan: a smaller model, so the solver gets further in the same nodes,
// and the whole solve then starts from its plan. A better plan is kept.
// Counts decide (pricing rounds, nodes), never the clock, which only guards
// a loaded machine.
import { generateColumns, supportProblem } from "./columns";
import { buildModelWithinBudget, type Highs } from "./exact-model";
import { WINDOW_SHORTFALL_GAP } from "./exact-refine";
import { planWithOutcome, solveModel } from "./exact-solve";
import type { WholeGroup } from "./exact-whole";
import { compareObjectives } from "./objective";
import type { Problem } from "./problem";
import type { PlanState } from "./state";

export interface ColumnStageLimits {
  /** Pricing rounds per group. */
  rounds: number;
  /** Nodes of the support model's served-minutes stage. */
  servedNodeLimit?: number;
  /** Nodes of its shortfall stage. */
  nodeLimit?: number;
  deadline: number;
  memoryBudgetBytes?: number;
}

export interface ColumnStage {
  state: PlanState;
  /** The relaxation's bound on each group's served minutes (groups priced only). */
  bounds: Map<number[], number>;
  /** Groups priced (until the deadline). */
  priced: number;
  improved: number;
  timeStops: number;
  nodeStops: number;
}

/** The column stage on each of `groups`, in order, from `initial`. */
export function solveGroupsByColumns(highs: Highs, problem: Problem, initial: PlanState, groups: number[][], limits: ColumnStageLimits): ColumnStage {
  const stage: ColumnStage = { state: initial, bounds: new Map(), priced: 0, improved: 0, timeStops: 0, nodeStops: 0 };
  for (const group of groups) {
    if (performance.now() >= limits.deadline) break;
    const pinnedKept = group.filter((r) => problem.requests[r].pinned && stage.state.isAssigned(r)).length;
    const columns = generateColumns(highs, problem, group, stage.state, pinnedKept, { maxRounds: limits.rounds, deadline: limits.deadline });
    stage.priced++;
    stage.bounds.set(group, columns.servedBound);
    const cut = supportProblem(problem, columns.support, stage.state);
    const model = buildModelWithinBudget(cut, group, 0, "groupe réduit au support", limits.memoryBudgetBytes);
    const seconds = (limits.deadline - performance.now()) / 1000;
    if (typeof model === "string" || model.numCols === 0 || seconds <= 0) continue;
    const stops = { time: 0, nodes: 0 };
    const outcome = solveModel(highs, cut, model, stage.state, seconds, limits.servedNodeLimit, stops, { gap: WINDOW_SHORTFALL_GAP, nodeLimit: limits.nodeLimit });
    stage.timeStops += stops.time;
    stage.nodeStops += stops.nodes;
    const next = outcome ? planWithOutcome(problem, stage.state, group, outcome) : null;
    if (next && compareObjectives(next.objective(), stage.state.objective()) > 0) {
      stage.state = next;
      stage.improved++;
    }
  }
  return stage;
}

/** The whole solves' results with the relaxation's bound where it is tighter; how many it tightened. */
export function withColumnBounds(wholeGroups: WholeGroup[], bounds: Map<number[], number>): { wholeGroups: WholeGroup[]; tightened: number } {
  let tightened = 0;
  const result = wholeGroups.map((whole) => {
    const bound = bounds.get(whole.group);
    if (bound === undefined || bound >= whole.servedBound) return whole;
    tightened++;
    return { ...whole, servedBound: Math.max(whole.served, bound), proven: whole.served >= bound };
  });
  return { wholeGroups: result, tightened };
}

/** What the column stage did, in French, for the run report. */
export function describeColumnStage(stage: { priced: number; tightened: number; improved: number }): string {
  const groups = (n: number) => `${n} groupe${n > 1 ? "s" : ""}`;
  return `puis la génération de colonnes (semaines entières par personne) sur ${groups(stage.priced)} : borne resserrée sur ${groups(stage.tightened)}, plan amélioré sur ${groups(stage.improved)}`;
}
