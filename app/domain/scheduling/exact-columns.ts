// Stage "columns" of the pipeline (exact-pipeline.ts), after the whole-group
// solves: a group whose served minutes they did not prove is priced by
// column generation on person-weeks (columns.ts), whose bound is kept when
// tighter than the compact model's, then solved again by the compact model
// cut to the people the relaxation uses at each start (its support), from
// the plan: a smaller model, so the solver gets further in the same nodes.
// A better plan is kept. Counts decide (pricing rounds, nodes), never the
// clock, which only guards a loaded machine.
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
  /** The whole groups, with the bound and plan after this stage. */
  wholeGroups: WholeGroup[];
  /** Groups priced (those the whole solve did not prove, until the deadline). */
  priced: number;
  improved: number;
  /** Groups whose bound the relaxation tightened. */
  tightened: number;
  timeStops: number;
  nodeStops: number;
}

/** The column stage on each whole group not proven, in order, from `initial`. */
export function solveGroupsByColumns(highs: Highs, problem: Problem, initial: PlanState, wholeGroups: WholeGroup[], limits: ColumnStageLimits): ColumnStage {
  const stage: ColumnStage = { state: initial, wholeGroups: [], priced: 0, improved: 0, tightened: 0, timeStops: 0, nodeStops: 0 };
  for (const whole of wholeGroups) {
    if (whole.proven || performance.now() >= limits.deadline) {
      stage.wholeGroups.push(whole);
      continue;
    }
    const { group } = whole;
    const pinnedKept = group.filter((r) => problem.requests[r].pinned && stage.state.isAssigned(r)).length;
    const columns = generateColumns(highs, problem, group, [stage.state], pinnedKept, { maxRounds: limits.rounds, deadline: limits.deadline });
    stage.priced++;
    let servedBound = whole.servedBound;
    if (columns.servedBound < servedBound) {
      servedBound = columns.servedBound;
      stage.tightened++;
    }
    const cut = supportProblem(problem, columns.support, [stage.state]);
    const model = buildModelWithinBudget(cut, group, 0, "groupe réduit au support", limits.memoryBudgetBytes);
    const seconds = (limits.deadline - performance.now()) / 1000;
    if (typeof model !== "string" && model.numCols > 0 && seconds > 0) {
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
    const served = group.reduce((sum, r) => sum + (stage.state.isAssigned(r) ? problem.requests[r].value : 0), 0);
    stage.wholeGroups.push({ group, served, servedBound: Math.max(served, servedBound), proven: served >= servedBound });
  }
  return stage;
}

/** What the column stage did, in French, for the run report. */
export function describeColumnStage(stage: { priced: number; tightened: number; improved: number }): string {
  const groups = (n: number) => `${n} groupe${n > 1 ? "s" : ""}`;
  return `puis la génération de colonnes (semaines entières par personne) sur ${groups(stage.priced)} : borne resserrée sur ${groups(stage.tightened)}, plan amélioré sur ${groups(stage.improved)}`;
}
