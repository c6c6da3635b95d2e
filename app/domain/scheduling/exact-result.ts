// Stage "result" of the pipeline (exact-pipeline.ts): a plan state and what
// the stages proved, as the ExactResult the weekly job and the CLI read. A
// plan the rules refuse (numerical trouble in the solver) is never handed out.
import { planFromState } from "./engine";
import type { ExactResult, ExactStats } from "./exact-types";
import type { Problem } from "./problem";
import { checkPlan } from "./rules";
import type { PlanState } from "./state";

/** A heuristic plan as the solver's result: nothing proven, no bound, no gap. */
export function heuristicPlanResult(state: PlanState, stats: Partial<ExactStats> & Pick<ExactStats, "seconds" | "notes">): ExactResult {
  const objective = state.objective();
  return {
    plan: planFromState(state),
    stats: {
      optimal: false,
      servedOptimal: false,
      optimalUpToShortfall: false,
      gap: Number.NaN,
      servedUpperBound: Number.NaN,
      objective,
      heuristicObjective: objective,
      components: 0,
      unprovenComponents: 0,
      heuristicComponents: 0,
      travelStageSkipped: 0,
      timeLimitStops: 0,
      nodeLimitStops: 0,
      columns: 0,
      rows: 0,
      ...stats,
    },
  };
}

/** What was run, whichever plan is handed out. */
export type ExactWork = Pick<ExactStats, "components" | "travelStageSkipped" | "timeLimitStops" | "nodeLimitStops" | "columns" | "rows" | "seconds" | "notes">;

/** What was proven, for the plan found. */
export type ExactProof = Omit<ExactStats, keyof ExactWork | "objective" | "heuristicObjective">;

/**
 * The exact pipeline's result: `final`'s plan, unless the rules refuse it;
 * then the heuristic's plan, nothing proven, and why in the notes.
 */
export function checkedResult(problem: Problem, final: PlanState, heuristic: PlanState, work: ExactWork, proof: ExactProof): ExactResult {
  const plan = planFromState(final);
  const violations = checkPlan(problem.instance, plan, problem);
  if (violations.length > 0) {
    work.notes.push(`plan du solveur invalide (${violations[0].message}) : plan heuristique`);
    return heuristicPlanResult(heuristic, { ...work, unprovenComponents: work.components, heuristicComponents: work.components });
  }
  return { plan, stats: { ...proof, objective: final.objective(), heuristicObjective: heuristic.objective(), ...work } };
}
