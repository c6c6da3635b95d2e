// Solving one exact model (exact-model.ts) with HiGHS, from a plan: the
// lexicographic objective by sequential solves, each warm-started with the
// previous solution, (1) pins kept and served participant-minutes from the given
// plan, (2) that fixed, the shortfall, (3) that fixed, travel. Then the plan
// with the model's requests re-staffed as the solver says. Every stage of the
// pipeline (exact-pipeline.ts) that calls the solver goes through here.
import type { Highs, Model } from "./exact-model";
import type { Problem } from "./problem";
import { PlanState } from "./state";

/**
 * The share of the time left that the served-minutes stage may use when the
 * clock binds (the hardest weeks' whole-group solve): served minutes come
 * first, and the shortfall and travel stages after it need little.
 */
const SERVED_STAGE_SHARE = 0.9;

export interface ModelOutcome {
  assignments: Array<[number, number, number, number[]]>;
  provenServed: boolean;
  stage1Value: number;
  stage1Bound: number;
  pinnedKept: number;
  provenUpToShortfall: boolean;
  provenTravel: boolean;
  travelSkipped: boolean;
}

export function solveModel(
  highs: Highs,
  problem: Problem,
  m: Model,
  warm: PlanState,
  seconds: number,
  nodeLimit: number | undefined,
  stops: { time: number; nodes: number },
  /**
   * The shortfall stage (exact-refine.ts): the relative gap it accepts (0 = proven)
   * and its own node limit (default: nodeLimit).
   */
  shortfall: { gap?: number; nodeLimit?: number } = {},
): ModelOutcome | null {
  const { constants } = highs;
  const inf = highs.infinity;
  const model = highs.createModel();
  try {
    model.passModel({
      numCols: m.numCols,
      numRows: m.rowLower.length,
      sense: constants.objectiveSense.maximize,
      colCost: m.colCost1,
      colLower: new Array(m.numCols).fill(0),
      colUpper: m.colUpper,
      rowLower: m.rowLower.map((v) => (v === -Infinity ? -inf : v)),
      rowUpper: m.rowUpper.map((v) => (v === Infinity ? inf : v)),
      matrix: {
        format: "csr",
        numRows: m.rowLower.length,
        numCols: m.numCols,
        starts: m.rowStarts,
        indices: m.rowIndices,
        values: m.rowValues,
      },
      integrality: m.integrality as Array<0 | 1>,
    });
    const started = performance.now();
    const remaining = () => Math.max(0.05, seconds - (performance.now() - started) / 1000);
    const run = (share: number, step: number, relativeGap = 0, nodes = nodeLimit) => {
      model.zeroAllClocks();
      model.options.set({
        output_flag: false,
        mip_rel_gap: relativeGap,
        mip_abs_gap: Math.max(0.5, (step || 1) - 0.5),
        time_limit: Math.max(0.05, remaining() * share),
        ...(nodes ? { mip_max_nodes: nodes } : {}),
      });
      model.run();
      const status = model.getModelStatus();
      if (status === constants.modelStatus.timeLimit) stops.time++;
      else if (status !== constants.modelStatus.optimal) stops.nodes++;
      const hasSolution = model.info.get("primal_solution_status") === 2;
      return { status, hasSolution };
    };

    // Stage 1: pins and served participant-minutes, from the heuristic's plan.
    model.setSolution({ colValue: warmStart(problem, m, warm) });
    const stage1 = run(SERVED_STAGE_SHARE, m.steps.served);
    if (!stage1.hasSolution) return null;
    const stage1Value = Math.round(model.getObjectiveValue());
    const step = m.steps.served;
    const stage1Bound = Math.max(stage1Value, Math.floor(Number(model.info.get("mip_dual_bound")) / step + 1e-6) * step);
    const proven1 = stage1.status === constants.modelStatus.optimal;
    let values = model.getSolution().colValue;

    // Stage 2: keep stage 1, minimise the shortfall.
    const allCols = m.colCost1.map((_, i) => i);
    model.addRow(stage1Value - 0.5, inf, {
      indices: allCols.filter((i) => m.colCost1[i] !== 0),
      values: allCols.filter((i) => m.colCost1[i] !== 0).map((i) => m.colCost1[i]),
    });
    model.changeObjectiveSense(constants.objectiveSense.minimize);
    model.changeColsCost({ kind: "range", from: 0, to: m.numCols - 1 }, m.colCostShortfall);
    let proven2 = true;
    if (m.shortfallCols.size > 0) {
      model.setSolution({ colValue: values });
      const stage2 = run(0.7, m.steps.shortfall, shortfall.gap, shortfall.nodeLimit);
      if (stage2.hasSolution) values = model.getSolution().colValue;
      proven2 = stage2.status === constants.modelStatus.optimal;
    }

    // Stage 3: keep the shortfall, minimise travel.
    let provenTravel = false;
    if (m.travelIncluded && m.travelCols.length > 0) {
      const shortfallFound = Math.round([...m.shortfallCols.values()].reduce((sum, c) => sum + values[c], 0));
      const sfCols = [...m.shortfallCols.values()];
      if (sfCols.length > 0) model.addRow(-inf, shortfallFound + 0.5, { indices: sfCols, values: sfCols.map(() => 1) });
      model.changeColsCost({ kind: "range", from: 0, to: m.numCols - 1 }, m.colCostTravel);
      model.setSolution({ colValue: values });
      const stage3 = run(1, m.steps.travel);
      if (stage3.hasSolution) values = model.getSolution().colValue;
      provenTravel = stage3.status === constants.modelStatus.optimal;
    } else if (m.travelIncluded) {
      provenTravel = true;
    }

    return {
      assignments: readAssignments(m, values),
      provenServed: proven1,
      stage1Value,
      stage1Bound,
      pinnedKept: countPinned(problem, m, values),
      provenUpToShortfall: proven1 && proven2,
      provenTravel: provenTravel && proven1 && proven2,
      travelSkipped: !m.travelIncluded,
    };
  } finally {
    model.dispose();
  }
}

function countPinned(problem: Problem, m: Model, values: Float64Array): number {
  let count = 0;
  for (const [r, zs] of m.zCol) {
    if (problem.requests[r].pinned && zs.some((z) => z >= 0 && values[z] > 0.5)) count++;
  }
  return count;
}

function readAssignments(m: Model, values: Float64Array): Array<[number, number, number, number[]]> {
  const result: Array<[number, number, number, number[]]> = [];
  for (const [r, zs] of m.zCol) {
    const k = zs.findIndex((z) => z >= 0 && values[z] > 0.5);
    if (k < 0) continue;
    const supervisor = [...m.supervisorCols.get(`${r}:${k}`)!].find(([, col]) => values[col] > 0.5)![0];
    const team = [...m.participantCols.get(`${r}:${k}`)!].filter(([, col]) => values[col] > 0.5).map(([w]) => w);
    result.push([r, k, supervisor, team]);
  }
  return result;
}

/** The heuristic's plan as a full column vector. */
function warmStart(problem: Problem, m: Model, state: PlanState): number[] {
  const values = new Array(m.numCols).fill(0);
  const used = new Set<number>();
  for (const [r, zs] of m.zCol) {
    const k = state.startIndex[r];
    if (k < 0 || zs[k] < 0) continue;
    values[zs[k]] = 1;
    used.add(zs[k]);
    const supCol = m.supervisorCols.get(`${r}:${k}`)!.get(state.supervisor[r]);
    if (supCol !== undefined) {
      values[supCol] = 1;
      used.add(supCol);
    }
    for (const w of state.team[r]) {
      const col = m.participantCols.get(`${r}:${k}`)!.get(w);
      if (col !== undefined) {
        values[col] = 1;
        used.add(col);
      }
    }
  }
  for (const [p, col] of m.shortfallCols) {
    values[col] = Math.max(0, problem.people[p].targetMinutes - state.minutes[p]);
  }
  for (const t of m.travelCols) {
    const between = t.between.reduce((sum, c) => sum + values[c.col], 0);
    values[t.col] = Math.max(0, values[t.a.col] + values[t.b.col] - 1 - between);
  }
  return values;
}

/** The plan without these requests (a window's, or a group's): the rest of the week, fixed. */
export function planWithout(problem: Problem, state: PlanState, requests: number[]): PlanState {
  const left = new Set(requests);
  const fixed = new PlanState(problem);
  for (let r = 0; r < problem.requests.length; r++) {
    const staffing = left.has(r) ? null : state.staffing(r);
    if (staffing) fixed.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
  }
  return fixed;
}

/** `state` with `requests` staffed as the solver says (the rest as it was). */
export function planWithOutcome(problem: Problem, state: PlanState, requests: number[], outcome: ModelOutcome): PlanState {
  const result = planWithout(problem, state, requests);
  for (const [r, k, supervisor, team] of outcome.assignments) result.assign(r, k, supervisor, team);
  return result;
}
