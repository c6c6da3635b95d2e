// Stage "exact groups" of the pipeline (exact-pipeline.ts): each independent
// group of the week small enough (smallest first, up to maxExactRequests in
// all) is solved whole by the MIP from the heuristic's plan; the others keep
// the heuristic's plan and are handed on to the windows. A group keeps the
// heuristic's assignments when the model is over the memory budget or too
// large, the solver finds nothing in time, or the heuristic is better.
import { buildModelWithinBudget, chooseExactComponents } from "./exact-model";
import { solveModel, type ModelOutcome } from "./exact-solve";
import type { ExactOptions } from "./exact-types";
import type { Highs } from "./exact-model";
import { compareObjectives } from "./objective";
import type { Problem } from "./problem";
import { PlanState } from "./state";

/** What the stage proved, found and left, for the result (exact-result.ts) and the later stages. */
export interface GroupsSolved {
  /** The heuristic's plan with the groups solved exactly re-staffed. */
  state: PlanState;
  /** Groups left with the heuristic's plan (beyond the budget, too large, solver stopped). */
  leftToHeuristic: number[][];
  /** Why the solver stopped for good (HiGHS aborted): the later stages must not call it. */
  solverLost: string | null;
  notes: string[];
  optimal: boolean;
  servedOptimal: boolean;
  optimalUpToShortfall: boolean;
  unprovenComponents: number;
  heuristicComponents: number;
  travelStageSkipped: number;
  stops: { time: number; nodes: number };
  columns: number;
  rows: number;
  /** Over the groups solved: the solver's bound on level 1-2 less what was kept, and what was kept. */
  gapNumerator: number;
  gapDenominator: number;
  servedUpperBound: number;
}

export function solveSmallGroups(highs: Highs, problem: Problem, heuristicState: PlanState, components: number[][], options: ExactOptions, deadline: number): GroupsSolved {
  const state = new PlanState(problem);
  const result: GroupsSolved = {
    state,
    leftToHeuristic: [],
    solverLost: null,
    notes: [],
    optimal: true,
    servedOptimal: true,
    optimalUpToShortfall: true,
    unprovenComponents: 0,
    heuristicComponents: 0,
    travelStageSkipped: 0,
    stops: { time: 0, nodes: 0 },
    columns: 0,
    rows: 0,
    gapNumerator: 0,
    gapDenominator: 0,
    servedUpperBound: 0,
  };
  const exactComponents = chooseExactComponents(components, options.maxExactRequests ?? Infinity);
  // The time left is shared among the groups still to solve, in proportion to their size.
  let remainingSize = [...exactComponents].reduce((sum, c) => sum + c.length, 0) || 1;
  for (const component of components) {
    const componentValue = component.reduce((sum, r) => sum + problem.requests[r].value, 0);
    const keepHeuristic = (why: string) => {
      result.notes.push(why);
      result.optimal = false;
      result.servedOptimal = false;
      result.optimalUpToShortfall = false;
      result.unprovenComponents++;
      result.heuristicComponents++;
      for (const r of component) copyAssignment(heuristicState, state, r);
      result.leftToHeuristic.push(component);
    };
    if (!exactComponents.has(component)) {
      keepHeuristic(`groupe de ${component.length} interventions au-delà des ${options.maxExactRequests} interventions résolues exactement : heuristique`);
      continue;
    }
    const now = performance.now();
    const share = Math.max(0.05, ((deadline - now) / 1000) * (component.length / remainingSize));
    remainingSize -= component.length;
    const model = buildModelWithinBudget(problem, component, options.maxTravelNonzeros ?? 400_000, `groupe de ${component.length} interventions`, options.memoryBudgetBytes);
    if (typeof model === "string") {
      keepHeuristic(model);
      continue;
    }
    result.columns += model.numCols;
    result.rows += model.rowLower.length;
    if (model.numCols > (options.maxColumns ?? 150_000)) {
      keepHeuristic(`composante de ${component.length} interventions trop grande (${model.numCols} colonnes) : heuristique`);
      continue;
    }
    if (model.numCols === 0) continue;
    if (result.solverLost) {
      keepHeuristic(`groupe de ${component.length} interventions : solveur exact interrompu plus tôt (${result.solverLost}), heuristique`);
      continue;
    }
    let outcome: ModelOutcome | null;
    try {
      outcome = solveModel(highs, problem, model, heuristicState, share, options.nodeLimit, result.stops);
    } catch (error) {
      // HiGHS aborted (WebAssembly): this runtime is unusable, the rest keeps the heuristic's plan.
      if (!(error instanceof Error && error.name === "RuntimeError")) throw error;
      result.solverLost = error.message.split(".")[0];
      keepHeuristic(`groupe de ${component.length} interventions : solveur exact interrompu (${result.solverLost}), heuristique`);
      continue;
    }
    if (!outcome) {
      keepHeuristic(`composante de ${component.length} interventions : pas de solution du solveur dans le temps imparti, heuristique`);
      continue;
    }
    // Keep the solver's assignments unless the heuristic is better on this component.
    const candidate = new PlanState(problem);
    for (const [r, k, s, team] of outcome.assignments) candidate.assign(r, k, s, team);
    const heuristicPart = new PlanState(problem);
    for (const r of component) copyAssignment(heuristicState, heuristicPart, r);
    const useSolver = compareObjectives(candidate.objective(), heuristicPart.objective()) >= 0;
    const source = useSolver ? candidate : heuristicPart;
    for (const r of component) copyAssignment(source, state, r);
    if (!outcome.provenServed) result.servedOptimal = false;
    if (!outcome.provenUpToShortfall) {
      result.optimalUpToShortfall = false;
      result.unprovenComponents++;
    }
    if (!outcome.provenTravel) result.optimal = false;
    if (!outcome.provenUpToShortfall) result.optimal = false;
    if (outcome.travelSkipped) result.travelStageSkipped++;
    const found = source === candidate ? outcome.stage1Value : stage1ValueOf(problem, heuristicPart, component, model.big);
    result.gapNumerator += Math.max(0, outcome.stage1Bound - found);
    result.gapDenominator += found;
    result.servedUpperBound += Math.min(componentValue, outcome.stage1Bound - model.big * outcome.pinnedKept);
  }
  // Anything that still fits (a solver stopped early may leave gaps) is added greedily.
  fillRemaining(problem, state);
  return result;
}

function copyAssignment(from: PlanState, to: PlanState, r: number) {
  const staffing = from.staffing(r);
  if (staffing) to.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
}

function stage1ValueOf(problem: Problem, state: PlanState, component: number[], big: number): number {
  let value = 0;
  for (const r of component) {
    if (!state.isAssigned(r)) continue;
    value += problem.requests[r].value + (problem.requests[r].pinned ? big : 0);
  }
  return value;
}

function fillRemaining(problem: Problem, state: PlanState) {
  const order = problem.requests.map((r) => r.index).sort((a, b) => problem.requests[b].value - problem.requests[a].value || a - b);
  for (const r of order) {
    if (state.isAssigned(r)) continue;
    const request = problem.requests[r];
    for (let k = 0; k < request.starts.length && !state.isAssigned(r); k++) {
      const supervisor = problem.eligibleSupervisors[r][k].find((s) => state.isFree(s, r, k));
      if (supervisor === undefined) continue;
      const pinnedFree = request.pinnedParticipants.every((w) => problem.eligibleParticipants[r][k].includes(w) && state.isFree(w, r, k));
      if (!pinnedFree) continue;
      const team = [...request.pinnedParticipants];
      for (const w of problem.eligibleParticipants[r][k]) {
        if (team.length === request.need) break;
        if (!team.includes(w) && state.isFree(w, r, k)) team.push(w);
      }
      if (team.length === request.need) state.assign(r, k, supervisor, team);
    }
  }
}
