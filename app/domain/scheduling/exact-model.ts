// The exact model: a mixed-integer program solved with HiGHS (WebAssembly).
// Synchronous and CPU-bound: exact.ts runs it in a worker thread.
//
// Variables, for each request r and candidate start k that could be staffed
// alone:  z[r,k] (served at k), x[r,k,s] (supervisor s leads it),
// y[r,k,w] (worker w in the team), and per worker sf[w] (target shortfall).
// A person who would be forced anyway (the only eligible supervisor, a pinned
// worker, a team with no spare candidate) uses z directly.
//
// Constraints: one start per request; one supervisor and exactly the team
// size per served start (H2); H3-H5 and H8 by only creating eligible
// variables; H6 as clique constraints over overlapping intervals plus pairwise
// constraints when only the travel makes two interventions clash; H7 as
// knapsack rows; sf[w] >= target - assigned minutes.
//
// Lexicographic objective by sequential solves, each warm-started with the
// previous solution: (1) maximise BIG x pinned kept + served worker-minutes,
// (2) fix it, minimise the shortfall, (3) fix that, minimise travel between
// consecutive same-day interventions (t[a,b] >= use_a + use_b - 1 - uses in
// between), when that part of the model stays small.
//
// The heuristic's plan is the first incumbent (so the result is never worse).
// The week is first cut into independent components (requests connected by a
// person who could serve both); cutting by day or skill would not be exact,
// since weekly caps and the shortfall tie a person's days together. Each
// component is solved alone and keeps the heuristic's assignments when it is
// too large (maxColumns), the solver finds nothing in time, or the heuristic
// is better; with options.windows, such a component is then improved a few
// days at a time (exact-refine.ts). The stats say which parts are proven
// optimal and the gap.
import type highsLoader from "highs";
import { planFromState, solveProblem } from "./engine";
import type { Plan } from "./instance";
import { checkPlan } from "./rules";
import { dayOf, startIsPossible, type Problem } from "./problem";
import { refinementNotes, refineGroups, type GroupsRefinement } from "./exact-refine";
import { PlanState, compareObjectives, type Objective } from "./state";

export type Highs = Awaited<ReturnType<typeof highsLoader>>;

/**
 * HiGHS runs as WebAssembly with a heap of at most 2 GiB and aborts past it
 * (issue 23: a 300-request week given whole to the CLI's exact mode grew to
 * 1.6 GB and aborted). Every model is sized before it is built (from its
 * columns), then once built (its nonzeros) before the solver gets it; one
 * over the budget is never solved: its group keeps the heuristic's plan and
 * the stats say so. Measured on generated weeks with a node limit of 100 and
 * a 60 s limit, the heap grew to 44 MB for 5,400 nonzeros, 132 MB for 51,000
 * and 474 MB for 445,000 (presolve copies and the search's nodes and cuts):
 * 64 MB plus 2,000 bytes per nonzero covers each with room. The budget is half
 * the heap, for the search's growth beyond those measures.
 */
export const SOLVER_MEMORY = {
  heapBytes: 2 ** 31,
  budgetBytes: 2 ** 30,
  baseBytes: 64 * 2 ** 20,
  bytesPerNonzero: 2_000,
} as const;

/** The solver memory a model of that many nonzeros is expected to take. */
export function solverBytes(nonzeros: number): number {
  return SOLVER_MEMORY.baseBytes + nonzeros * SOLVER_MEMORY.bytesPerNonzero;
}

/**
 * The fewest nonzeros buildModel would make for `requests`, counted without
 * building it (a city's week would not fit in memory as a model): each
 * candidate supervisor and worker of a possible start is a column in at least
 * its start's link row, and each start in its request's row.
 */
export function leastModelNonzeros(problem: Problem, requests: number[]): number {
  let nonzeros = 0;
  for (const r of requests) {
    const request = problem.requests[r];
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k)) continue;
      nonzeros += 2 + problem.eligibleSupervisors[r][k].length + problem.eligibleWorkers[r][k].length;
    }
  }
  return nonzeros;
}

/** Null when a model of that many nonzeros fits the solver's memory budget, else why not, in French. */
export function overMemoryBudget(nonzeros: number, what: string, budgetBytes: number = SOLVER_MEMORY.budgetBytes): string | null {
  const bytes = solverBytes(nonzeros);
  if (bytes <= budgetBytes) return null;
  const megabytes = (value: number) => `${Math.round(value / 2 ** 20).toLocaleString("fr-FR")} Mo`;
  return `${what} : modèle estimé à ${megabytes(bytes)} (${nonzeros.toLocaleString("fr-FR")} coefficients), au-delà du budget mémoire du solveur (${megabytes(budgetBytes)}) : heuristique`;
}

/** buildModel, unless the model would not fit the solver's memory budget (checked before and after building): then why, in French. */
export function buildModelWithinBudget(
  problem: Problem,
  requests: number[],
  maxTravelNonzeros: number,
  what: string,
  budgetBytes: number = SOLVER_MEMORY.budgetBytes,
): Model | string {
  const before = overMemoryBudget(leastModelNonzeros(problem, requests), what, budgetBytes);
  if (before) return before;
  const model = buildModel(problem, requests, maxTravelNonzeros);
  return overMemoryBudget(model.rowIndices.length, what, budgetBytes) ?? model;
}

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
}

export interface ExactStats {
  /** True when every component was solved to proven optimality on all four levels. */
  optimal: boolean;
  /** True when levels 1-2 (pins kept, served worker-minutes) are proven optimal. */
  servedOptimal: boolean;
  /** True when levels 1-3 (pins, served minutes, shortfall) are proven optimal. */
  optimalUpToShortfall: boolean;
  /** Relative gap on level 1-2 (BIG x pins + served): (bound - found) / found; 0 when proven. */
  gap: number;
  /** Upper bound on served worker-minutes (from the solver's dual bound), when pins are all kept. */
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

/** Solves with HiGHS in the current thread (exact.ts calls this inside a worker). */
export function solveExactWith(highs: Highs, problem: Problem, options: ExactOptions = {}): ExactResult {
  const started = performance.now();
  const timeLimit = options.timeLimitSeconds ?? 30;
  const deadline = started + timeLimit * 1000;
  const heuristic = solveProblem(problem, { seed: options.seed, iterations: options.iterations });
  const heuristicState = heuristic.state;
  const state = new PlanState(problem);
  const notes: string[] = [];

  const components = findComponents(problem);
  let gapNumerator = 0;
  let gapDenominator = 0;
  let servedUpperBound = 0;
  let optimal = true;
  let servedOptimal = true;
  let optimalUpToShortfall = true;
  let unprovenComponents = 0;
  let heuristicComponents = 0;
  let travelStageSkipped = 0;
  const stops = { time: 0, nodes: 0 };
  let columns = 0;
  let rows = 0;

  let solverLost: string | null = null;
  const exactComponents = chooseExactComponents(components, options.maxExactRequests ?? Infinity);
  const leftToHeuristic: number[][] = [];
  // The time left is shared among the groups still to solve, in proportion to their size.
  let remainingSize = [...exactComponents].reduce((sum, c) => sum + c.length, 0) || 1;
  for (const component of components) {
    const componentValue = component.reduce((sum, r) => sum + problem.requests[r].value, 0);
    const keepHeuristic = (why: string) => {
      notes.push(why);
      optimal = false;
      servedOptimal = false;
      optimalUpToShortfall = false;
      unprovenComponents++;
      heuristicComponents++;
      for (const r of component) copyAssignment(heuristicState, state, r);
      leftToHeuristic.push(component);
    };
    if (!exactComponents.has(component)) {
      keepHeuristic(`groupe de ${component.length} interventions au-delà des ${options.maxExactRequests} interventions résolues exactement : heuristique`);
      continue;
    }
    const now = performance.now();
    const share = Math.max(0.05, ((deadline - now) / 1000) * (component.length / remainingSize));
    remainingSize -= component.length;
    const model = buildModelWithinBudget(
      problem,
      component,
      options.maxTravelNonzeros ?? 400_000,
      `groupe de ${component.length} interventions`,
      options.memoryBudgetBytes,
    );
    if (typeof model === "string") {
      keepHeuristic(model);
      continue;
    }
    columns += model.numCols;
    rows += model.rowLower.length;
    if (model.numCols > (options.maxColumns ?? 150_000)) {
      keepHeuristic(`composante de ${component.length} interventions trop grande (${model.numCols} colonnes) : heuristique`);
      continue;
    }
    if (model.numCols === 0) continue;
    if (solverLost) {
      keepHeuristic(`groupe de ${component.length} interventions : solveur exact interrompu plus tôt (${solverLost}), heuristique`);
      continue;
    }
    let outcome: ModelOutcome | null;
    try {
      outcome = solveModel(highs, problem, model, heuristicState, share, options.nodeLimit, stops);
    } catch (error) {
      // HiGHS aborted (WebAssembly): this runtime is unusable, the rest keeps the heuristic's plan.
      if (!(error instanceof Error && error.name === "RuntimeError")) throw error;
      solverLost = error.message.split(".")[0];
      keepHeuristic(`groupe de ${component.length} interventions : solveur exact interrompu (${solverLost}), heuristique`);
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
    if (!outcome.provenServed) servedOptimal = false;
    if (!outcome.provenUpToShortfall) {
      optimalUpToShortfall = false;
      unprovenComponents++;
    }
    if (!outcome.provenTravel) optimal = false;
    if (!outcome.provenUpToShortfall) optimal = false;
    if (outcome.travelSkipped) travelStageSkipped++;
    const found = source === candidate ? outcome.stage1Value : stage1ValueOf(problem, heuristicPart, component, model.big);
    gapNumerator += Math.max(0, outcome.stage1Bound - found);
    gapDenominator += found;
    servedUpperBound += Math.min(componentValue, outcome.stage1Bound - model.big * outcome.pinnedKept);
  }

  // Anything that still fits (a solver stopped early may leave gaps) is added greedily.
  fillRemaining(problem, state);
  let final = state;
  let refinement: GroupsRefinement | null = null;
  if (options.windows && leftToHeuristic.length > 0 && !solverLost) {
    refinement = refineGroups(highs, problem, state, leftToHeuristic, options.windows, {
      nodeLimit: options.nodeLimit,
      deadline,
      maxColumns: options.maxColumns,
      seed: options.seed,
      memoryBudgetBytes: options.memoryBudgetBytes,
    });
    final = refinement.state;
    stops.time += refinement.timeStops;
    stops.nodes += refinement.nodeStops;
    notes.push(...refinementNotes(refinement));
  }
  // A group left to the heuristic is bounded by its whole-group solve, else by all it could serve.
  for (const component of leftToHeuristic) {
    const solvedWhole = refinement?.wholeGroups.find((g) => g.group === component);
    const bound = solvedWhole ? solvedWhole.servedBound : component.reduce((sum, r) => sum + problem.requests[r].value, 0);
    const kept = component.reduce((sum, r) => sum + (final.isAssigned(r) ? problem.requests[r].value : 0), 0);
    servedUpperBound += bound;
    gapNumerator += Math.max(0, bound - kept);
    gapDenominator += kept;
  }
  const plan = planFromState(final);
  // What was run, whichever plan is handed out.
  const work = {
    components: components.length,
    travelStageSkipped,
    timeLimitStops: stops.time,
    nodeLimitStops: stops.nodes,
    columns,
    rows,
    seconds: (performance.now() - started) / 1000,
    notes,
  };
  const violations = checkPlan(problem.instance, plan, problem);
  if (violations.length > 0) {
    // Numerical trouble in the solver: never hand out an invalid plan.
    notes.push(`plan du solveur invalide (${violations[0].message}) : plan heuristique`);
    return heuristicPlanResult(heuristicState, { ...work, unprovenComponents: components.length, heuristicComponents: components.length });
  }
  return {
    plan,
    stats: {
      optimal,
      servedOptimal,
      optimalUpToShortfall,
      gap: gapDenominator > 0 ? gapNumerator / gapDenominator : 0,
      servedUpperBound,
      objective: final.objective(),
      heuristicObjective: heuristicState.objective(),
      ...work,
      unprovenComponents,
      heuristicComponents,
      ...(refinement ? { windowsSolved: refinement.solved, windowsImproved: refinement.improved } : {}),
    },
  };
}

function copyAssignment(from: PlanState, to: PlanState, r: number) {
  const staffing = from.staffing(r);
  if (staffing) to.assign(r, staffing.startIndex, staffing.supervisor, staffing.workers);
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
      const pinnedFree = request.pinnedWorkers.every((w) => problem.eligibleWorkers[r][k].includes(w) && state.isFree(w, r, k));
      if (!pinnedFree) continue;
      const team = [...request.pinnedWorkers];
      for (const w of problem.eligibleWorkers[r][k]) {
        if (team.length === request.need) break;
        if (!team.includes(w) && state.isFree(w, r, k)) team.push(w);
      }
      if (team.length === request.need) state.assign(r, k, supervisor, team);
    }
  }
}

/**
 * The components to solve exactly: smallest first (then in their order), as
 * long as their interventions add up to at most `budget`. Smallest first
 * proves the most groups within the budget, and the choice is reproducible.
 */
export function chooseExactComponents(components: number[][], budget: number): Set<number[]> {
  const chosen = new Set<number[]>();
  let used = 0;
  const bySize = components.map((c, i) => ({ c, i })).sort((a, b) => a.c.length - b.c.length || a.i - b.i);
  for (const { c } of bySize) {
    if (used + c.length > budget) break;
    chosen.add(c);
    used += c.length;
  }
  return chosen;
}

/** Requests connected by a person who could serve both, each list sorted; only requests with some variable. */
export function findComponents(problem: Problem): number[][] {
  const parent = problem.requests.map((r) => r.index);
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const firstRequestOf = new Map<number, number>();
  const useful: boolean[] = [];
  for (const request of problem.requests) {
    const r = request.index;
    let any = false;
    request.starts.forEach((_, k) => {
      if (!startIsPossible(problem, r, k)) return;
      any = true;
      for (const p of [...problem.eligibleSupervisors[r][k], ...problem.eligibleWorkers[r][k]]) {
        const first = firstRequestOf.get(p);
        if (first === undefined) firstRequestOf.set(p, r);
        else parent[find(r)] = find(first);
      }
    });
    useful.push(any);
  }
  const groups = new Map<number, number[]>();
  for (const request of problem.requests) {
    if (!useful[request.index]) continue;
    const root = find(request.index);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(request.index);
  }
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}


/** One way a person can be used: request r at start k, through column `col`. */
interface Use {
  r: number;
  k: number;
  col: number;
  start: number;
  end: number;
}

export interface Model {
  numCols: number;
  colCost1: number[];
  colCostShortfall: number[];
  colCostTravel: number[];
  colUpper: number[];
  integrality: number[];
  rowLower: number[];
  rowUpper: number[];
  rowStarts: number[];
  rowIndices: number[];
  rowValues: number[];
  big: number;
  /**
   * Every objective value of each stage is a multiple of its step (the gcd of
   * its coefficients): a solution within less than a step of the bound is
   * proven optimal, so HiGHS may stop there instead of closing the last minute.
   */
  steps: { served: number; shortfall: number; travel: number };
  /** z column per request and start (-1 when that start is impossible). */
  zCol: Map<number, number[]>;
  /** supervisor column per (r,k): person -> column. */
  supervisorCols: Map<string, Map<number, number>>;
  workerCols: Map<string, Map<number, number>>;
  shortfallCols: Map<number, number>;
  /** Travel variables and their (person, a, b) uses, for the warm start. */
  travelCols: Array<{ col: number; a: Use; b: Use; between: Use[] }>;
  travelIncluded: boolean;
}

export function buildModel(problem: Problem, component: number[], maxTravelNonzeros: number): Model {
  const m: Model = {
    numCols: 0,
    colCost1: [],
    colCostShortfall: [],
    colCostTravel: [],
    colUpper: [],
    integrality: [],
    rowLower: [],
    rowUpper: [],
    rowStarts: [0],
    rowIndices: [],
    rowValues: [],
    big: 0,
    steps: { served: 0, shortfall: 0, travel: 0 },
    zCol: new Map(),
    supervisorCols: new Map(),
    workerCols: new Map(),
    shortfallCols: new Map(),
    travelCols: [],
    travelIncluded: false,
  };
  const totalValue = component.reduce((sum, r) => sum + problem.requests[r].value, 0);
  m.steps.served = component.reduce((step, r) => gcd(step, problem.requests[r].value), 0) || 1;
  // BIG (per pinned request kept) above all served minutes, and a multiple of the step.
  m.big = Math.ceil((totalValue + 1) / m.steps.served) * m.steps.served;
  m.steps.shortfall = component.reduce((step, r) => gcd(step, problem.requests[r].duration), 0) || 1;
  const addCol = (cost1: number, integer: boolean, upper = 1) => {
    m.colCost1.push(cost1);
    m.colCostShortfall.push(0);
    m.colCostTravel.push(0);
    m.colUpper.push(upper);
    m.integrality.push(integer ? 1 : 0);
    return m.numCols++;
  };
  const addRow = (lower: number, upper: number, entries: Array<[number, number]>) => {
    for (const [col, value] of entries) {
      m.rowIndices.push(col);
      m.rowValues.push(value);
    }
    m.rowLower.push(lower);
    m.rowUpper.push(upper);
    m.rowStarts.push(m.rowIndices.length);
  };

  const usesOf = new Map<number, Use[]>();
  const addUse = (person: number, use: Use) => {
    if (!usesOf.has(person)) usesOf.set(person, []);
    usesOf.get(person)!.push(use);
  };

  for (const r of component) {
    const request = problem.requests[r];
    const zs: number[] = [];
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k)) {
        zs.push(-1);
        continue;
      }
      const start = request.starts[k];
      const end = start + request.duration;
      const z = addCol(request.value + (request.pinned ? m.big : 0), true);
      zs.push(z);
      const supervisors = problem.eligibleSupervisors[r][k];
      const supCols = new Map<number, number>();
      if (supervisors.length === 1) {
        supCols.set(supervisors[0], z);
      } else {
        for (const s of supervisors) supCols.set(s, addCol(0, true));
        addRow(0, 0, [...[...supCols.values()].map((c): [number, number] => [c, 1]), [z, -1]]);
      }
      m.supervisorCols.set(`${r}:${k}`, supCols);
      for (const [s, col] of supCols) addUse(s, { r, k, col, start, end });

      const workerCols = new Map<number, number>();
      for (const w of request.pinnedWorkers) workerCols.set(w, z);
      const free = problem.eligibleWorkers[r][k].filter((w) => !request.pinnedWorkers.includes(w));
      const missing = request.need - request.pinnedWorkers.length;
      if (missing > 0) {
        if (free.length === missing) {
          for (const w of free) workerCols.set(w, z);
        } else {
          const cols = free.map((w) => {
            const col = addCol(0, true);
            workerCols.set(w, col);
            return col;
          });
          addRow(0, 0, [...cols.map((c): [number, number] => [c, 1]), [z, -missing]]);
        }
      }
      m.workerCols.set(`${r}:${k}`, workerCols);
      for (const [w, col] of workerCols) addUse(w, { r, k, col, start, end });
    }
    m.zCol.set(r, zs);
    const possible = zs.filter((z) => z >= 0);
    if (possible.length > 1) addRow(-Infinity, 1, possible.map((z): [number, number] => [z, 1]));
  }

  const siteOf = (use: Use) => problem.requests[use.r].site;
  const travelRows: Array<() => void> = [];
  let travelNonzeros = 0;
  const people = [...usesOf.keys()].sort((a, b) => a - b);
  for (const p of people) {
    const uses = usesOf.get(p)!.sort((a, b) => a.start - b.start || a.end - b.end || a.col - b.col);
    // H6, overlaps: maximal cliques of intervals containing a start time.
    const starts = [...new Set(uses.map((u) => u.start))];
    for (let i = 0; i < starts.length; i++) {
      const t = starts[i];
      const next = i + 1 < starts.length ? starts[i + 1] : Infinity;
      const active = uses.filter((u) => u.start <= t && t < u.end);
      const cols = [...new Set(active.map((u) => u.col))];
      if (cols.length < 2) continue;
      if (!active.some((u) => u.end <= next)) continue; // contained in the next clique
      addRow(-Infinity, 1, cols.map((c): [number, number] => [c, 1]));
    }
    // H6, travel: intervals that do not overlap but are too close for the trip.
    for (let i = 0; i < uses.length; i++) {
      const a = uses[i];
      for (let j = i + 1; j < uses.length; j++) {
        const b = uses[j];
        if (b.start >= a.end + problem.maxTravel) break;
        if (a.r === b.r || b.start < a.end) continue; // same request, or overlapping (cliques above)
        if (a.end + problem.travel[siteOf(a)][siteOf(b)] > b.start) addRow(-Infinity, 1, [[a.col, 1], [b.col, 1]]);
      }
    }
    // H7: only when the person could be asked for more than the cap.
    const person = problem.people[p];
    const durationByRequest = new Map<number, number>();
    for (const u of uses) durationByRequest.set(u.r, problem.requests[u.r].duration);
    const maxPossible = [...durationByRequest.values()].reduce((a, b) => a + b, 0);
    const useEntries = () => {
      const byCol = new Map<number, number>();
      for (const u of uses) byCol.set(u.col, problem.requests[u.r].duration);
      return [...byCol.entries()] as Array<[number, number]>;
    };
    if (maxPossible > person.capMinutes) addRow(-Infinity, person.capMinutes, useEntries());
    // Shortfall: sf + assigned minutes >= target.
    if (!person.isSupervisor && person.targetMinutes > 0) {
      m.steps.shortfall = gcd(m.steps.shortfall, person.targetMinutes);
      const sf = addCol(0, false, person.targetMinutes);
      m.colCostShortfall[sf] = 1;
      m.shortfallCols.set(p, sf);
      addRow(person.targetMinutes, Infinity, [[sf, 1], ...useEntries()]);
    }
    // Travel between consecutive same-day interventions: t[a,b] >= a + b - 1 -
    // (uses starting strictly between them). Uses are sorted by start, so the
    // ones in between are a contiguous slice; built later if small enough.
    const firstAfter = (start: number) => {
      let lo = 0;
      let hi = uses.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (uses[mid].start <= start) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const firstAtOrAfter = (start: number) => firstAfter(start - 1);
    for (let i = 0; i < uses.length; i++) {
      const a = uses[i];
      const from = firstAfter(a.start);
      for (let j = from; j < uses.length; j++) {
        const b = uses[j];
        if (dayOf(b.start) !== dayOf(a.start)) break;
        const travel = problem.travel[siteOf(a)][siteOf(b)];
        if (a.r === b.r || travel === 0 || a.end + travel > b.start) continue;
        const to = firstAtOrAfter(b.start);
        travelNonzeros += 3 + (to - from);
        if (travelNonzeros > maxTravelNonzeros) continue;
        travelRows.push(() => {
          const between = uses.slice(from, to);
          const col = addCol(0, false);
          m.colCostTravel[col] = travel;
          m.steps.travel = gcd(m.steps.travel, travel);
          m.travelCols.push({ col, a, b, between });
          addRow(-1, Infinity, [[col, 1], [a.col, -1], [b.col, -1], ...between.map((c): [number, number] => [c.col, 1])]);
        });
      }
    }
  }
  if (travelNonzeros <= maxTravelNonzeros) {
    for (const add of travelRows) add();
    m.travelIncluded = true;
  }
  return m;
}

interface ModelOutcome {
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

    // Stage 1: pins and served worker-minutes, from the heuristic's plan.
    model.setSolution({ colValue: warmStart(problem, m, warm) });
    const stage1 = run(0.7, m.steps.served);
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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
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
    const team = [...m.workerCols.get(`${r}:${k}`)!].filter(([, col]) => values[col] > 0.5).map(([w]) => w);
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
      const col = m.workerCols.get(`${r}:${k}`)!.get(w);
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

/** The heuristic alone with its default budget, as a fallback (why in `note`): nothing proven, no bound. */
export function heuristicFallbackResult(problem: Problem, seed: number | undefined, note: string): ExactResult {
  const started = performance.now();
  const { state } = solveProblem(problem, { seed });
  return heuristicPlanResult(state, { seconds: (performance.now() - started) / 1000, notes: [note], fellBack: true });
}

/**
 * The weekly optimisation of a week too big for the solver: the heuristic
 * with options.iterations, then, with options.windows, each group improved by
 * the solver a few days at a time (exact-refine.ts) until options.maxSolves
 * or the time limit. Progress: the search, then the windows.
 */
export function weeklySearchResult(highs: Highs, problem: Problem, options: ExactOptions, onProgress?: (share: number) => void): ExactResult {
  const started = performance.now();
  const searchShare = options.windows ? 0.3 : 1;
  const { state } = solveProblem(problem, { seed: options.seed, iterations: options.iterations, onProgress: onProgress && ((share) => onProgress(share * searchShare)) });
  if (!options.windows) return heuristicPlanResult(state, { seconds: (performance.now() - started) / 1000, notes: [] });
  const groups = findComponents(problem);
  const refinement = refineGroups(highs, problem, state, groups, options.windows, {
    nodeLimit: options.nodeLimit,
    deadline: started + (options.timeLimitSeconds ?? 30) * 1000,
    maxColumns: options.maxColumns,
    seed: options.seed,
    memoryBudgetBytes: options.memoryBudgetBytes,
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

/** A heuristic plan as the solver's result: nothing proven, no bound, no gap. */
function heuristicPlanResult(state: PlanState, stats: Partial<ExactStats> & Pick<ExactStats, "seconds" | "notes">): ExactResult {
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
