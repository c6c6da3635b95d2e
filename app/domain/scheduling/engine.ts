// The assignment heuristic:
// 1. greedy construction: pinned requests first, then in time order (earliest
//    first start, the most served minutes first among equal starts: measured
//    on tests/bench/scheduling.ts's weeks, the local search ends higher from
//    this plan than from one built by served minutes alone); each request
//    takes the start and people that best help the shortfall and travel while
//    keeping the people most wanted elsewhere free. When the encadrants'
//    caps cannot cover the interventions (a city's structures), each
//    encadrant's heaviest whole week is staffed first, and planned again
//    after the local search (supervisor-weeks.ts);
// 2. local search, simulated annealing on (pins kept, served minutes):
//    - an open request is inserted by re-staffing others (augmenting: busy
//      people hand their clashing assignments to colleagues, a few levels
//      deep), or failing that forced in by an ejection chain that displaces
//      the cheapest assignments and re-places them;
//    - "ruin and recreate": free a few related requests and rebuild;
//    then strict descent on the whole lexicographic objective from the best
//    plan seen;
// 3. polishing moves that keep every request and lower shortfall and travel.
// Deterministic: a seeded random generator and a fixed iteration budget,
// never the clock.
//
// One file per stage, arrows one way (each imports only those below it):
//   engine.ts        the orchestrator: instance -> problem -> stages -> plan
//   polish.ts        stage 3, polishing moves
//   local-search.ts  stage 2, annealing with repair moves
//   augment.ts       insertion by re-staffing others (augmenting paths)
//   supervisor-weeks.ts  stage 1 when encadrants are short, by whole weeks
//   candidates.ts    the best staffing of one request, plain insertion
//   search.ts        the shared state: plan, journal, random, indexes
import { SEARCH, augmentingInsert } from "./augment";
import { tryInsert } from "./candidates";
import { explainUnassigned } from "./explain";
import type { Instance, Plan, Unassigned } from "./instance";
import { improve } from "./local-search";
import { polish } from "./polish";
import { compileProblem, type Problem } from "./problem";
import { Search } from "./search";
import { constructBySupervisorWeeks, replanSupervisorWeeks, supervisorsAreShort } from "./supervisor-weeks";
import type { Objective, PlanState } from "./state";

export interface SolveOptions {
  /** Seed of the local search (default 1). Same seed, same plan. */
  seed?: number;
  /** Local-search iterations; default scales with the instance (see defaultIterations). */
  iterations?: number;
  /** Told the share of the local search done (0 to 1), every 1 % or so: a progress bar. */
  onProgress?: (share: number) => void;
}

export interface SolveStats {
  objective: Objective;
  /** Objective after the greedy construction, before local search. */
  greedyObjective: Objective;
  iterations: number;
  /** Times the local search found a better plan. */
  improvements: number;
  requests: number;
  assigned: number;
}

export interface SolveResult {
  plan: Plan;
  stats: SolveStats;
}

/** Solves an instance that parseInstance accepted. */
export function solve(instance: Instance, options: SolveOptions = {}): SolveResult {
  const problem = compileProblem(instance);
  const { state, stats } = solveProblem(problem, options);
  return { plan: planFromState(state), stats };
}

/**
 * Instant mode: the requests pinned whole (encadrant and full team, one
 * start) stand exactly as given, even where a rule has changed since (they are
 * what the people were told); the others are inserted around them, greedily,
 * then by handing their people over among themselves (bounded augmenting
 * search), then polished. No global re-optimisation: the weekly job does that.
 */
export function insertIntoPlan(instance: Instance, options: Pick<SolveOptions, "seed"> = {}): SolveResult {
  const problem = compileProblem(instance);
  const search = new Search(problem, options.seed ?? 1);
  insertOnly(search);
  const state = search.state;
  const objective = state.objective();
  return {
    plan: planFromState(state),
    stats: { objective, greedyObjective: objective, iterations: 0, improvements: 0, requests: problem.requests.length, assigned: state.assignedCount },
  };
}

/** The plan of a state, with a rule and a reason for every unassigned request. */
export function planFromState(state: PlanState): Plan {
  const { problem } = state;
  const unassigned: Unassigned[] = [];
  for (const request of problem.requests) {
    if (state.isAssigned(request.index)) continue;
    const { rule, reason } = explainUnassigned(problem, state, request.index);
    unassigned.push({ requestId: request.id, rule, reason });
  }
  return { assignments: state.assignments(), unassigned };
}

/**
 * Local-search iterations for a week of n requests: 60 per request for small
 * weeks, at most 5,000, and fewer on big weeks so that 1,000 requests stay
 * near 1.3 s on a quiet 2-core machine, under the 2 s target: 2,500 there
 * served 0.4 to 0.7 % more minutes than 1,000 on the generated weeks without
 * time windows, for 0.4 s more (tests/bench/scheduling.ts). A count, not a
 * clock, so the plan is the same on every machine.
 */
export function defaultIterations(requestCount: number): number {
  const oneAssociation = Math.min(60 * requestCount, 5000, 2_500_000 / Math.max(1, requestCount));
  return Math.round(Math.max(oneAssociation, Math.min(CITY_ITERATIONS_PER_REQUEST * requestCount - 4000, 40_000)));
}

/**
 * Beyond 2,500 requests (a city: many structures, each its own independent
 * part of the week, each needing its share of moves) the budget grows again,
 * 2 iterations per request less 4,000 (so it joins the formula above at 2,500),
 * at most 40,000. On the generated city weeks of 5,000 requests
 * (tests/bench/scheduling-city.ts), 500 iterations left 8 % of the served
 * minutes that 15,000 found; each iteration costs some 0.15 ms of CPU there.
 */
const CITY_ITERATIONS_PER_REQUEST = 2;

/**
 * The weekly optimisation's budget: a background job, in a worker thread, so
 * it can search longer than a plan wanted at once (the CLI, a fallback). Up to
 * 40,000 iterations, fewer on big weeks so that the time stays about the one
 * of 1,000 requests (some 20 to 30 s on a quiet 2-core machine); never fewer
 * than defaultIterations. On the generated 1,000-request weeks without time
 * windows, 20,000 served 0.7 to 1.3 % more participant-minutes than the default
 * budget and 40,000 a further 0.4 %, within 1 % of the solver's bound
 * (tests/bench/scheduling.ts).
 */
export function weeklyIterations(requestCount: number): number {
  return Math.max(defaultIterations(requestCount), Math.round(Math.min(40_000, 40_000_000 / Math.max(1, requestCount))));
}

export function solveProblem(problem: Problem, options: SolveOptions = {}): { state: PlanState; stats: SolveStats } {
  const search = new Search(problem, options.seed ?? 1);
  const byWeeks = supervisorsAreShort(problem);
  if (byWeeks) constructBySupervisorWeeks(search);
  construct(search);
  const greedyObjective = search.state.objective();
  const iterations = options.iterations ?? defaultIterations(problem.requests.length);
  const improvements = improve(search, iterations, options.onProgress);
  if (byWeeks) replanSupervisorWeeks(search);
  fillGaps(search);
  polish(search);
  const state = search.state;
  return {
    state,
    stats: {
      objective: state.objective(),
      greedyObjective,
      iterations,
      improvements,
      requests: problem.requests.length,
      assigned: state.assignedCount,
    },
  };
}

/**
 * The heuristic's polishing moves (shortfall, then travel; nothing served is
 * dropped) applied to a given plan, for instance one improved by the exact
 * solver window by window (exact-refine.ts). Returns a new state.
 */
export function polishState(problem: Problem, plan: PlanState, seed = 1): PlanState {
  const search = new Search(problem, seed);
  for (let r = 0; r < problem.requests.length; r++) {
    const staffing = plan.staffing(r);
    if (staffing) search.state.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
  }
  polish(search);
  return search.state;
}

// --- Stages of the construction (the local search and polishing have their own files).

/** Stage 1: greedy construction, in constructionOrder (after the encadrants' weeks, when they are short: supervisor-weeks.ts). */
function construct(search: Search): void {
  for (const r of search.constructionOrder) tryInsert(search, r);
  search.journal = [];
}

/** See insertIntoPlan. */
function insertOnly(search: Search): void {
  const { problem, state } = search;
  for (const request of problem.requests) {
    if (whole(request)) state.assign(request.index, 0, request.pinnedSupervisor, request.pinnedParticipants);
  }
  for (const r of search.greedyOrder) tryInsert(search, r);
  // Only what was just inserted can hand people over: a short repair among those.
  const movable = problem.requests.some((request) => state.isAssigned(request.index) && !whole(request));
  for (const r of search.greedyOrder) {
    if (movable && search.feasibleAlone[r] && !state.isAssigned(r)) augmentingInsert(search, r, SEARCH.repairBudget);
  }
  search.journal = [];
  polish(search);
}

/** Insert anything that still fits, most valuable first. */
function fillGaps(search: Search): void {
  for (const r of search.greedyOrder) tryInsert(search, r);
  search.journal = [];
}

/** Pinned whole: an encadrant, a full team and one start; instant mode leaves it exactly as it is. */
function whole(request: Problem["requests"][number]): boolean {
  return request.pinnedSupervisor >= 0 && request.pinnedParticipants.length >= request.need && request.starts.length === 1;
}
