// The assignment heuristic:
// 1. greedy construction: pinned requests first, then in time order (earliest
//    first start, the most served minutes first among equal starts: measured
//    on tests/bench/scheduling.ts's weeks, the local search ends higher from
//    this plan than from one built by served minutes alone); each request
//    takes the start and people that best help the shortfall and travel while
//    keeping the people most wanted elsewhere free;
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
import { explainUnassigned } from "./explain";
import type { Instance, Plan, Unassigned } from "./instance";
import { compileProblem, conflicts, isEligible, startIsPossible, type Problem } from "./problem";
import { PlanState, compareObjectives, type Objective, type Staffing } from "./state";
import { seededRandom } from "~/utils/seeded-random.ts";

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
  search.insertOnly();
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
 * windows, 20,000 served 0.7 to 1.3 % more worker-minutes than the default
 * budget and 40,000 a further 0.4 %, within 1 % of the solver's bound
 * (tests/bench/scheduling.ts).
 */
export function weeklyIterations(requestCount: number): number {
  return Math.max(defaultIterations(requestCount), Math.round(Math.min(40_000, 40_000_000 / Math.max(1, requestCount))));
}

export function solveProblem(problem: Problem, options: SolveOptions = {}): { state: PlanState; stats: SolveStats } {
  const search = new Search(problem, options.seed ?? 1);
  search.construct();
  const greedyObjective = search.state.objective();
  const iterations = options.iterations ?? defaultIterations(problem.requests.length);
  const improvements = search.improve(iterations, options.onProgress);
  search.fillGaps();
  search.polish();
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
    if (staffing) search.state.assign(r, staffing.startIndex, staffing.supervisor, staffing.workers);
  }
  search.polish();
  return search.state;
}

/** A candidate staffing with the secondary criteria used to choose between starts. */
interface Candidate extends Staffing {
  shortfallGain: number;
  travelAdded: number;
  pressure: number;
}

interface Snapshot {
  startIndex: Int32Array;
  supervisor: Int32Array;
  team: number[][];
}

/** What a chain search read (see hoursChain): people whose requests it looked through, people whose hours it looked at. */
interface ChainReads {
  stamp: number;
  expanded: number[];
  examined: number[];
}

/** A way to force a request in, and the assignments it displaces. */
interface Ejection extends Staffing {
  ejected: number[];
  cost: number;
}

const PINNED_EJECTION_COST = 1e7;
/** People looked through to find a request's neighbours (see relatedTo). */
const RELATED_PEOPLE = 24;
/** Links examined when looking for a chain that gives hours to a worker below target. */
const HOURS_CHAIN_LINKS = 100;
/** Limits of the augmenting search (augmentingInsert), tuned on tests/bench/scheduling.ts. */
const SEARCH = {
  /** Levels of hand-over (a person hands an assignment to someone who hands one over, ...). */
  depth: 3,
  /** Candidates tried at each level. */
  branching: 3,
  /** Of which, candidates looked at (from a random offset): small samples diversify the search. */
  sample: 4,
  /** Hand-overs allowed per insertion: for an open request on its own, and inside a repair. */
  budget: 200,
  repairBudget: 40,
};

class Search {
  readonly state: PlanState;
  private readonly random: () => number;
  /** How much each person is wanted by the requests, relative to their hours (lower = use first). */
  private readonly pressure: number[];
  /** Requests that some start could staff when considered alone. */
  private readonly feasibleAlone: boolean[];
  /** Requests each person could serve (any start), sorted by first start. */
  private readonly requestsOf: number[][];
  /** People who could serve each request (any start). */
  private readonly peopleOf: number[][] = [];
  /** Longest time from a request's first start to its latest end, plus travel. */
  private longestSpan = 0;
  /** Most valuable first: the order open requests are retried and gaps filled. */
  private readonly greedyOrder: number[];
  /** The greedy construction's order (see the header). */
  private readonly constructionOrder: number[];
  private readonly relatedCache = new Map<number, number[]>();
  /** peopleStamp of each request when its augmenting search last failed (-1: never), and that search's budget. */
  private readonly failedStamp: Float64Array;
  private readonly failedBudget: Float64Array;
  /** Where each worker's requestsOf list starts in restaffFailed; there, peopleStamp of the request when re-staffing it around the worker last failed. */
  private readonly restaffSlot: Int32Array;
  private readonly restaffFailed: Float64Array;
  /** What each worker's last fruitless hours chain read, and its fingerprint then (see shiftHoursToShortWorkers). */
  private readonly chainMemo: Array<ChainReads | undefined>;
  /** Scratch lists of bestStaffing (never recursive): the free workers of a start, the best of them. */
  private readonly freeScratch: Int32Array;
  private readonly chosenScratch: WorkerOption[] = [];
  /** Scratch counters for relatedTo, all zero between calls. */
  private readonly sharedCount: Int32Array;
  /** Annealing temperature in worker-minutes; 0 accepts only moves that do not worsen the objective. */
  private temperature = 0;
  /** Staffing of each changed request before the change, to undo a rejected move. */
  private journal: Array<{ r: number; previous: Staffing | null }> = [];

  constructor(
    private readonly problem: Problem,
    seed: number,
  ) {
    this.state = new PlanState(problem);
    this.random = seededRandom(seed);
    this.sharedCount = new Int32Array(problem.requests.length);
    this.taken = new PersonSet(problem.people.length);
    this.scratch = new Int32Array(problem.people.length);
    this.freeScratch = new Int32Array(problem.people.length);
    this.failedStamp = new Float64Array(problem.requests.length).fill(-1);
    this.failedBudget = new Float64Array(problem.requests.length);
    const { requests, people } = problem;

    const demand = people.map(() => 0);
    this.requestsOf = people.map(() => []);
    const supply: number[] = [];
    for (const request of requests) {
      const r = request.index;
      const supervisors = new Set<number>();
      const workers = new Set<number>();
      let bestSupply = 0;
      request.starts.forEach((_, k) => {
        const sups = problem.eligibleSupervisors[r][k];
        const wks = problem.eligibleWorkers[r][k];
        for (const p of sups) supervisors.add(p);
        for (const p of wks) workers.add(p);
        bestSupply = Math.max(bestSupply, Math.min(sups.length, wks.length / request.need));
      });
      supply.push(bestSupply);
      for (const s of supervisors) demand[s] += request.duration / supervisors.size;
      for (const w of workers) demand[w] += request.value / workers.size;
      const everyone = [...supervisors, ...workers];
      for (const p of everyone) this.requestsOf[p].push(r);
      this.peopleOf.push(everyone);
      const span = request.starts[request.starts.length - 1] - request.starts[0] + request.duration + problem.maxTravel;
      this.longestSpan = Math.max(this.longestSpan, span);
    }
    this.pressure = people.map((p, i) => demand[i] / Math.max(60, p.capMinutes));
    this.restaffSlot = new Int32Array(people.length + 1);
    for (let p = 0; p < people.length; p++) this.restaffSlot[p + 1] = this.restaffSlot[p] + this.requestsOf[p].length;
    this.restaffFailed = new Float64Array(this.restaffSlot[people.length]).fill(Number.NaN);
    this.chainMemo = new Array(people.length);
    this.feasibleAlone = requests.map((request) =>
      request.starts.some((_, k) => startIsPossible(problem, request.index, k)),
    );
    for (const list of this.requestsOf) list.sort((a, b) => requests[a].starts[0] - requests[b].starts[0] || a - b);

    // Pinned first, then the most served minutes, then the scarcest, then instance order.
    this.greedyOrder = requests
      .map((r) => r.index)
      .sort((a, b) => {
        const ra = requests[a];
        const rb = requests[b];
        if (ra.pinned !== rb.pinned) return ra.pinned ? -1 : 1;
        if (ra.value !== rb.value) return rb.value - ra.value;
        if (supply[a] !== supply[b]) return supply[a] - supply[b];
        return a - b;
      });
    // Pinned first, then by first start, then the most served minutes, then instance order.
    this.constructionOrder = requests
      .map((r) => r.index)
      .sort((a, b) => {
        const ra = requests[a];
        const rb = requests[b];
        if (ra.pinned !== rb.pinned) return ra.pinned ? -1 : 1;
        if (ra.starts[0] !== rb.starts[0]) return ra.starts[0] - rb.starts[0];
        if (ra.value !== rb.value) return rb.value - ra.value;
        return a - b;
      });
  }

  // --- Changes, journaled so that a rejected move can be undone exactly.

  private place(r: number, staffing: Staffing): void {
    this.journal.push({ r, previous: this.state.staffing(r) });
    this.state.unassign(r);
    this.state.assign(r, staffing.startIndex, staffing.supervisor, staffing.workers);
  }

  private remove(r: number): void {
    this.journal.push({ r, previous: this.state.staffing(r) });
    this.state.unassign(r);
  }

  /** Undo the journaled changes made after `mark`. */
  private undoTo(mark: number): void {
    while (this.journal.length > mark) {
      const { r, previous } = this.journal.pop()!;
      this.state.unassign(r);
      if (previous) this.state.assign(r, previous.startIndex, previous.supervisor, previous.workers);
    }
  }

  /** Keep the changes since the move began if `accepts` says so, else undo them. */
  private settle(before: Objective): boolean {
    if (this.accepts(before, this.state.objective())) {
      this.journal = [];
      return true;
    }
    this.undoTo(0);
    return false;
  }

  /** Should the search move from `before` to `after`? */
  private accepts(before: Objective, after: Objective): boolean {
    if (this.temperature <= 0) return compareObjectives(after, before) >= 0;
    const delta =
      (after.pinnedKept - before.pinnedKept) * 1e9 + (after.servedWorkerMinutes - before.servedWorkerMinutes);
    if (delta > 0) return true;
    if (delta === 0) return compareObjectives(after, before) >= 0 || this.random() < 0.2;
    return this.random() < Math.exp(delta / this.temperature);
  }

  // --- Construction.

  construct(): void {
    for (const r of this.constructionOrder) this.tryInsert(r);
    this.journal = [];
  }

  /** See insertIntoPlan. */
  insertOnly(): void {
    const { problem, state } = this;
    for (const request of problem.requests) {
      if (whole(request)) state.assign(request.index, 0, request.pinnedSupervisor, request.pinnedWorkers);
    }
    for (const r of this.greedyOrder) this.tryInsert(r);
    // Only what was just inserted can hand people over: a short repair among those.
    const movable = problem.requests.some((request) => state.isAssigned(request.index) && !whole(request));
    for (const r of this.greedyOrder) {
      if (movable && this.feasibleAlone[r] && !state.isAssigned(r)) this.augmentingInsert(r, SEARCH.repairBudget);
    }
    this.journal = [];
    this.polish();
  }

  /** Insert anything that still fits, most valuable first. */
  fillGaps(): void {
    for (const r of this.greedyOrder) this.tryInsert(r);
    this.journal = [];
  }

  /** Inserts r as it fits, or by re-staffing others (augmenting paths); false if neither works. */
  private insert(r: number): boolean {
    if (this.tryInsert(r)) return true;
    return this.feasibleAlone[r] && !this.state.isAssigned(r) && this.augmentingInsert(r, SEARCH.repairBudget);
  }

  /** Inserts request r with its best staffing; false if none fits the current plan. */
  private tryInsert(r: number): boolean {
    if (!this.feasibleAlone[r] || this.state.isAssigned(r)) return false;
    const candidate = this.bestStaffing(r);
    if (!candidate) return false;
    this.place(r, candidate);
    return true;
  }

  /** The best way to staff request r in the current plan, or null. */
  private bestStaffing(r: number, required: number[] = this.problem.requests[r].pinnedWorkers): Candidate | null {
    const { problem, state, pressure } = this;
    const request = problem.requests[r];
    const free = this.freeScratch;
    const chosen = this.chosenScratch;
    let best: Candidate | null = null;
    for (let k = 0; k < request.starts.length; k++) {
      const eligibleWorkers = problem.eligibleWorkers[r][k];

      // Workers (the scarce ones, checked first): the required (pinned) ones, then those furthest below
      // their target, least wanted, least travel.
      const team: number[] = [];
      let pinnedOk = true;
      for (const w of required) {
        if (!isEligible(eligibleWorkers, w) || !state.isFree(w, r, k)) {
          pinnedOk = false;
          break;
        }
        team.push(w);
      }
      if (!pinnedOk) continue;
      const missing = request.need - team.length;
      // Who is free first (often too few: the start is out), then what each would cost.
      let freeCount = 0;
      for (const w of eligibleWorkers) {
        if (!team.includes(w) && state.isFree(w, r, k)) free[freeCount++] = w;
      }
      if (freeCount < missing) continue;
      // Supervisor: least wanted elsewhere, then least travel.
      let supervisor = -1;
      let supervisorKey = Infinity;
      let supervisorTravel = 0;
      for (const s of problem.eligibleSupervisors[r][k]) {
        if (!state.isFree(s, r, k)) continue;
        const travel = state.travelDelta(s, r, k);
        const key = pressure[s] * 1000 + travel;
        if (key < supervisorKey) {
          supervisorKey = key;
          supervisor = s;
          supervisorTravel = travel;
        }
      }
      if (supervisor < 0) continue;
      // The `missing` best free workers by (gain, pressure, travel, index): a total order, so keeping
      // the first few is the same as sorting them all.
      let chosenCount = 0;
      for (let i = 0; i < freeCount; i++) {
        const w = free[i];
        const option = { w, gain: -state.shortfallDelta(w, request.duration), travel: state.travelDelta(w, r, k) };
        let at = chosenCount;
        while (at > 0 && compareOptions(option, chosen[at - 1], pressure) < 0) at--;
        if (at >= missing) continue;
        chosen.splice(at, 0, option);
        if (chosenCount < missing) chosenCount++;
        chosen.length = chosenCount;
      }
      let shortfallGain = 0;
      let travelAdded = supervisorTravel;
      let teamPressure = pressure[supervisor];
      for (const w of team) {
        shortfallGain -= state.shortfallDelta(w, request.duration);
        travelAdded += state.travelDelta(w, r, k);
        teamPressure += pressure[w];
      }
      for (let i = 0; i < missing; i++) {
        team.push(chosen[i].w);
        shortfallGain += chosen[i].gain;
        travelAdded += chosen[i].travel;
        teamPressure += pressure[chosen[i].w];
      }
      chosen.length = 0;
      const candidate: Candidate = { startIndex: k, supervisor, workers: team, shortfallGain, travelAdded, pressure: teamPressure };
      if (!best || isBetterCandidate(candidate, best)) best = candidate;
    }
    return best;
  }

  // --- Local search.

  /**
   * Simulated annealing on (pins, served minutes) for 80% of the budget, then
   * strict descent on the whole lexicographic objective from the best plan
   * seen. Returns how many times the best plan improved.
   */
  improve(iterations: number, onProgress?: (share: number) => void): number {
    const { requests } = this.problem;
    if (requests.length === 0) return 0;
    const meanValue = requests.reduce((sum, r) => sum + r.value, 0) / requests.length;
    const annealing = Math.floor(iterations * 0.8);
    let best = this.snapshot();
    let bestObjective = this.state.objective();
    let improvements = 0;
    let cursor = -1;
    const progressEvery = Math.max(1, Math.ceil(iterations / 100));
    for (let iteration = 0; iteration < iterations; iteration++) {
      if (onProgress && iteration % progressEvery === 0) onProgress(iteration / iterations);
      if (iteration === annealing) this.restore(best);
      const cooling = iteration < annealing ? 1 - iteration / annealing : 0;
      this.temperature = 0.3 * meanValue * cooling * cooling;
      const open = this.random() < 0.6 ? this.nextOpen(cursor) : -1;
      if (open >= 0) {
        cursor = open;
        const r = this.greedyOrder[open];
        if (this.augmentingInsert(r, SEARCH.budget)) this.journal = [];
        else this.ejectionChain(r);
      } else {
        this.ruinAndRecreate();
      }
      if (compareObjectives(this.state.objective(), bestObjective) > 0) {
        best = this.snapshot();
        bestObjective = this.state.objective();
        improvements++;
      }
    }
    this.restore(best);
    this.temperature = 0;
    return improvements;
  }

  /** A copy of the plan (team arrays are never mutated in place, so sharing them is safe). */
  private snapshot(): Snapshot {
    const { state } = this;
    return { startIndex: state.startIndex.slice(), supervisor: state.supervisor.slice(), team: state.team.slice() };
  }

  private restore(snapshot: Snapshot): void {
    const { state } = this;
    for (let r = 0; r < snapshot.startIndex.length; r++) state.unassign(r);
    for (let r = 0; r < snapshot.startIndex.length; r++) {
      if (snapshot.startIndex[r] >= 0) state.assign(r, snapshot.startIndex[r], snapshot.supervisor[r], snapshot.team[r]);
    }
  }

  /** Position in greedyOrder of the next open request after `cursor` (cyclic), or -1. */
  private nextOpen(cursor: number): number {
    const n = this.greedyOrder.length;
    for (let step = 1; step <= n; step++) {
      const i = (cursor + step) % n;
      const r = this.greedyOrder[i];
      if (this.feasibleAlone[r] && !this.state.isAssigned(r)) return i;
    }
    return -1;
  }

  /**
   * Insert open request r without dropping anything: when its supervisor or
   * some workers are busy (or at their weekly cap), hand their clashing
   * assignments over to other eligible people, recursively a few levels deep
   * (an augmenting tree). Served minutes strictly grow when this succeeds.
   */
  private augmentingInsert(r: number, budget: number): boolean {
    const { problem, state } = this;
    const request = problem.requests[r];
    // Skip a search that already failed while none of r's people has changed since.
    const stamp = this.peopleStamp(r);
    if (this.failedStamp[r] === stamp && this.failedBudget[r] >= budget) return false;
    const mark = this.journal.length;
    this.searchBudget = budget;
    for (let k = 0; k < request.starts.length && this.searchBudget > 0; k++) {
      if (!startIsPossible(problem, r, k)) continue;
      const taken = this.taken;
      taken.clear();
      const supervisor = this.freeOneOf(problem.eligibleSupervisors[r][k], r, k, taken);
      let ok = supervisor >= 0;
      const team: number[] = [];
      for (const w of request.pinnedWorkers) {
        if (!ok) break;
        if (this.makeFree(w, r, k, SEARCH.depth, taken)) {
          team.push(w);
          taken.add(w);
        } else ok = false;
      }
      const others = problem.eligibleWorkers[r][k].filter((w) => !request.pinnedWorkers.includes(w));
      while (ok && team.length < request.need) {
        const w = this.freeOneOf(others, r, k, taken);
        if (w < 0) ok = false;
        else {
          team.push(w);
          taken.add(w);
        }
      }
      if (ok && [supervisor, ...team].every((p) => state.isFree(p, r, k))) {
        this.place(r, { startIndex: k, supervisor, workers: team });
        return true;
      }
      this.undoTo(mark);
    }
    this.failedStamp[r] = this.peopleStamp(r);
    this.failedBudget[r] = budget;
    return false;
  }

  /** Combined agenda fingerprints of everyone who could serve r. */
  private peopleStamp(r: number): number {
    let stamp = 0;
    for (const p of this.peopleOf[r]) stamp = (Math.imul(stamp, 31) + (this.state.fingerprint[p] % 2147483647)) | 0;
    return stamp;
  }

  /** People already in the team being built, or being freed, in the current augmenting search. */
  private readonly taken: PersonSet;

  /** Candidates handed to leastBusy, which reads them before any recursion (saves an array per call). */
  private readonly scratch: Int32Array;

  /** Work left for the current augmenting search (person expansions). */
  private searchBudget = 0;

  /** A person of `pool` (not in `avoid`) free or freed for request r at k, or -1. */
  private freeOneOf(pool: number[], r: number, k: number, avoid: PersonSet): number {
    const { state } = this;
    for (const p of pool) if (!avoid.has(p) && state.isFree(p, r, k)) return p;
    const candidates = this.scratch;
    let length = 0;
    for (const p of pool) if (!avoid.has(p)) candidates[length++] = p;
    for (const p of this.leastBusy(candidates, length, r, k, SEARCH.branching)) {
      if (this.makeFree(p, r, k, SEARCH.depth, avoid)) return p;
    }
    return -1;
  }

  /** The `count` people of the pool with the fewest clashes with request r at start k. */
  private leastBusy(pool: ArrayLike<number>, length: number, r: number, k: number, count: number): number[] {
    const chosen: number[] = [];
    const clashes: number[] = [];
    // Big pools: look at a window of them from a random offset, to bound the work.
    const size = Math.min(length, SEARCH.sample);
    const offset = length > size ? Math.floor(this.random() * length) : 0;
    for (let n = 0; n < size; n++) {
      const p = pool[(offset + n) % length];
      const c = this.clashCount(p, r, k, count > chosen.length ? Infinity : clashes[chosen.length - 1]);
      let i = chosen.length;
      while (i > 0 && clashes[i - 1] > c) i--;
      if (i >= count) continue;
      chosen.splice(i, 0, p);
      clashes.splice(i, 0, c);
      if (chosen.length > count) {
        chosen.pop();
        clashes.pop();
      }
    }
    return chosen;
  }

  /** Number of p's assignments that clash with request r at start k, counting no further than `limit`. */
  private clashCount(p: number, r: number, k: number, limit: number): number {
    const { problem, state } = this;
    const request = problem.requests[r];
    const start = request.starts[k];
    const end = start + request.duration;
    let count = 0;
    for (const q of state.agenda[p]) {
      if (q === r) continue;
      const other = problem.requests[q];
      const qStart = state.startOf(q);
      if (qStart >= end + problem.maxTravel) break;
      if (conflicts(problem, request.site, start, end, other.site, qStart, qStart + other.duration) && ++count > limit) break;
    }
    return count;
  }


  /** Assignments of person p that clash (H6) with request r at start k. */
  private clashesOf(p: number, r: number, k: number): number[] {
    const { problem, state } = this;
    const request = problem.requests[r];
    const start = request.starts[k];
    const end = start + request.duration;
    const result: number[] = [];
    for (const q of state.agenda[p]) {
      if (q === r) continue;
      const other = problem.requests[q];
      const qStart = state.startOf(q);
      if (qStart >= end + problem.maxTravel) break;
      if (conflicts(problem, request.site, start, end, other.site, qStart, qStart + other.duration)) result.push(q);
    }
    return result;
  }

  /**
   * Make person p able to take request r at start k: hand each clashing
   * assignment (and one more if the weekly cap requires it) to someone else,
   * recursively. Changes are journaled; on failure they are undone.
   */
  private makeFree(p: number, r: number, k: number, depth: number, avoid: PersonSet): boolean {
    const { problem, state } = this;
    if (state.isFree(p, r, k)) return true;
    if (depth <= 0 || this.searchBudget-- <= 0) return false;
    const handovers = this.clashesOf(p, r, k);
    const cap = problem.people[p].capMinutes;
    let minutes = state.minutes[p] + problem.requests[r].duration;
    for (const q of handovers) minutes -= problem.requests[q].duration;
    if (minutes > cap) {
      // One more assignment must go: the shortest one that is long enough.
      const extra = state.agenda[p]
        .filter((q) => q !== r && !handovers.includes(q) && minutes - problem.requests[q].duration <= cap)
        .sort((a, b) => problem.requests[a].duration - problem.requests[b].duration || a - b)[0];
      if (extra === undefined) return false;
      handovers.push(extra);
    }
    const mark = this.journal.length;
    avoid.add(p);
    let ok = true;
    for (const q of handovers) {
      if (!this.handOver(q, p, depth - 1, avoid)) {
        ok = false;
        break;
      }
    }
    avoid.delete(p);
    if (ok && state.isFree(p, r, k)) return true;
    this.undoTo(mark);
    return false;
  }

  /** Give p's place in assignment q to another eligible person, freeing them first if needed. */
  private handOver(q: number, p: number, depth: number, avoid: PersonSet): boolean {
    const { problem, state } = this;
    const other = problem.requests[q];
    if (other.pinnedSupervisor === p || other.pinnedWorkers.includes(p)) return false;
    if (this.searchBudget-- <= 0) return false;
    const kq = state.startIndex[q];
    const pool = (problem.people[p].isSupervisor ? problem.eligibleSupervisors : problem.eligibleWorkers)[q][kq];
    // Someone free right away (the common case), else recurse on the least busy.
    const candidates = this.scratch;
    let length = 0;
    for (const x of pool) {
      if (avoid.has(x) || state.involves(q, x)) continue;
      if (state.isFree(x, q, kq)) return this.replacePerson(q, p, x);
      candidates[length++] = x;
    }
    if (depth <= 0) return false;
    for (const x of this.leastBusy(candidates, length, q, kq, SEARCH.branching)) {
      if (this.makeFree(x, q, kq, depth, avoid)) return this.replacePerson(q, p, x);
    }
    return false;
  }

  /** Person x takes p's place in assignment q. */
  private replacePerson(q: number, p: number, x: number): boolean {
    const staffing = this.state.staffing(q)!;
    if (staffing.supervisor === p) staffing.supervisor = x;
    else staffing.workers = staffing.workers.map((w) => (w === p ? x : w));
    this.place(q, staffing);
    return true;
  }

  /**
   * Ejection chain: force the open request r in with the people whose current
   * assignments are cheapest to give up, re-place each displaced request
   * greedily or, failing that, by forcing it in the same way (a few levels
   * deep), then fill in open requests nearby.
   */
  private ejectionChain(r: number): boolean {
    const before = this.state.objective();
    const locked = new Set<number>();
    const displaced = this.forceIn(r, 1 + Math.floor(this.random() * 3), locked);
    for (const q of this.openAround([r, ...displaced])) this.insert(q);
    return this.settle(before);
  }

  /** Forces r in (see ejectionChain); returns every request displaced along the chain. */
  private forceIn(r: number, depth: number, locked: Set<number>): number[] {
    const { problem } = this;
    locked.add(r);
    const request = problem.requests[r];
    const starts = request.starts.map((_, k) => k).filter((k) => startIsPossible(problem, r, k));
    if (starts.length === 0) return [];
    // Either every start (cheapest wins) or one at random, to diversify.
    const candidates = this.random() < 0.5 ? starts : [starts[Math.floor(this.random() * starts.length)]];
    let chosen: Ejection | null = null;
    for (const k of candidates) {
      const option = this.cheapestTeam(r, k, locked);
      if (option && (!chosen || option.cost < chosen.cost)) chosen = option;
    }
    if (!chosen) return [];
    for (const q of chosen.ejected) this.remove(q);
    this.place(r, chosen);
    const displaced = [...chosen.ejected];
    for (const q of this.noisyOrder(chosen.ejected)) {
      if (this.insert(q) || depth <= 0 || locked.has(q)) continue;
      displaced.push(...this.forceIn(q, depth - 1, locked));
    }
    return displaced;
  }

  /** Supervisor and workers for request r at start k that displace the least served time. */
  private cheapestTeam(r: number, k: number, locked: Set<number>): Ejection | null {
    const { problem } = this;
    const request = problem.requests[r];
    const priced = (p: number) => {
      const ejected = this.blockersOf(p, r, k);
      let cost = 0;
      for (const q of ejected) {
        if (locked.has(q)) cost = Infinity;
        cost += problem.requests[q].value + (problem.requests[q].pinned ? PINNED_EJECTION_COST : 0);
      }
      return { p, ejected, cost: cost * (1 + 0.3 * this.random()) };
    };
    const byCost = (a: { p: number; cost: number }, b: { p: number; cost: number }) => a.cost - b.cost || a.p - b.p;
    const supervisors = problem.eligibleSupervisors[r][k].map(priced).sort(byCost);
    const eligible = problem.eligibleWorkers[r][k];
    if (!request.pinnedWorkers.every((w) => isEligible(eligible, w))) return null;
    const pinned = request.pinnedWorkers.map(priced);
    const others = eligible
      .filter((w) => !request.pinnedWorkers.includes(w))
      .map(priced)
      .sort(byCost)
      .slice(0, request.need - pinned.length);
    if (supervisors.length === 0 || pinned.length + others.length !== request.need) return null;
    const team = [supervisors[0], ...pinned, ...others];
    const cost = team.reduce((sum, t) => sum + t.cost, 0);
    if (cost === Infinity) return null;
    return {
      startIndex: k,
      supervisor: supervisors[0].p,
      workers: [...pinned, ...others].map((t) => t.p),
      ejected: [...new Set(team.flatMap((t) => t.ejected))].sort((a, b) => a - b),
      cost,
    };
  }

  /** Assignments of person p to remove so p can take request r at start k (clashes, then the weekly cap). */
  private blockersOf(p: number, r: number, k: number): number[] {
    const { problem, state } = this;
    const request = problem.requests[r];
    const start = request.starts[k];
    const end = start + request.duration;
    const result: number[] = [];
    let minutes = state.minutes[p] + request.duration;
    for (const q of state.agenda[p]) {
      if (q === r) continue;
      const other = problem.requests[q];
      const qStart = state.startOf(q);
      if (conflicts(problem, request.site, start, end, other.site, qStart, qStart + other.duration)) {
        result.push(q);
        minutes -= other.duration;
      }
    }
    if (minutes > problem.people[p].capMinutes) {
      const rest = state.agenda[p]
        .filter((q) => q !== r && !result.includes(q))
        .sort((a, b) => problem.requests[a].value - problem.requests[b].value || a - b);
      for (const q of rest) {
        if (minutes <= problem.people[p].capMinutes) break;
        result.push(q);
        minutes -= problem.requests[q].duration;
      }
    }
    return result;
  }

  /**
   * Related removal ("ruin and recreate"): free a few requests that compete
   * for the same people at the same time, plus the open requests around
   * them, and rebuild them greedily in a shuffled order of value.
   */
  private ruinAndRecreate(): boolean {
    const { problem, state } = this;
    const n = problem.requests.length;
    let seed = Math.floor(this.random() * n);
    for (let i = 0; i < n && !this.feasibleAlone[seed]; i++) seed = (seed + 1) % n;
    if (!this.feasibleAlone[seed]) return false;
    const size = 2 + Math.floor(this.random() * 7);
    const chosen = [seed];
    const inChosen = new Set(chosen);
    for (let attempt = 0; attempt < 4 * size && chosen.length < size; attempt++) {
      const related = this.relatedTo(chosen[Math.floor(this.random() * chosen.length)]);
      if (related.length === 0) continue;
      // Favour the most related (most shared people) without always taking them.
      const pick = related[Math.floor(related.length * this.random() * this.random())];
      if (!inChosen.has(pick)) {
        inChosen.add(pick);
        chosen.push(pick);
      }
    }
    const before = state.objective();
    for (const r of chosen) if (state.isAssigned(r)) this.remove(r);
    for (const r of this.noisyOrder([...chosen, ...this.openAround(chosen)])) this.insert(r);
    return this.settle(before);
  }

  /** Open requests related to these, most valuable first (a few). */
  private openAround(requests: number[]): number[] {
    const result = new Set<number>();
    for (const q of requests) {
      for (const r of this.relatedTo(q)) {
        if (this.feasibleAlone[r] && !this.state.isAssigned(r)) result.add(r);
      }
    }
    const { requests: all } = this.problem;
    return [...result].sort((a, b) => all[b].value - all[a].value || a - b).slice(0, 8);
  }

  /**
   * Requests that could compete with r for a person: they share an eligible
   * person and their possible times come within travel distance. Most shared
   * people first.
   */
  private relatedTo(r: number): number[] {
    const cached = this.relatedCache.get(r);
    if (cached) return cached;
    const { problem } = this;
    const request = problem.requests[r];
    const first = request.starts[0];
    const end = request.starts[request.starts.length - 1] + request.duration + problem.maxTravel;
    const shared = this.sharedCount;
    const touched: number[] = [];
    // On big weeks, look through the people with the fewest requests only: enough to find neighbours, much cheaper.
    let people = this.peopleOf[r];
    if (people.length > RELATED_PEOPLE) {
      people = [...people]
        .sort((a, b) => this.requestsOf[a].length - this.requestsOf[b].length || a - b)
        .slice(0, RELATED_PEOPLE);
    }
    for (const p of people) {
      const list = this.requestsOf[p];
      // Lists are sorted by first start: skip those that end long before r.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (problem.requests[list[mid]].starts[0] < first - this.longestSpan) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < list.length; i++) {
        const q = list[i];
        const other = problem.requests[q];
        if (other.starts[0] >= end) break;
        if (q === r) continue;
        if (other.starts[other.starts.length - 1] + other.duration + problem.maxTravel <= first) continue;
        if (shared[q]++ === 0) touched.push(q);
      }
    }
    const related = touched.sort((a, b) => shared[b] - shared[a] || a - b).slice(0, 40);
    for (const q of touched) shared[q] = 0;
    this.relatedCache.set(r, related);
    return related;
  }

  /** Pinned first, then most valuable, with noise so repeated moves explore different orders. */
  private noisyOrder(list: number[]): number[] {
    const { requests } = this.problem;
    const keyed = [...new Set(list)].map((r) => ({
      r,
      key: (requests[r].pinned ? 1e9 : 0) + requests[r].value * (1 + 0.5 * this.random()),
    }));
    keyed.sort((a, b) => b.key - a.key || a.r - b.r);
    return keyed.map((x) => x.r);
  }

  // --- Polishing: moves that keep every request as it is (levels 1-2 hold).

  /** Replace a worker or the supervisor, or shift the start, when it lowers shortfall or travel. */
  polish(): void {
    const { problem, state } = this;
    for (let pass = 0; pass < 5; pass++) {
      let changed = false;
      for (const request of problem.requests) {
        const r = request.index;
        if (!state.isAssigned(r)) continue;
        if (this.improveWorkers(r)) changed = true;
        if (this.improveSupervisor(r)) changed = true;
        if (request.starts.length > 1 && this.improveStart(r)) changed = true;
      }
      if (this.shiftHoursToShortWorkers()) changed = true;
      if (this.restaffForShortWorkers()) changed = true;
      if (!changed) break;
    }
    this.journal = [];
  }

  /**
   * Give hours to workers below their target along a chain: w takes x1's
   * place in q1, x1 takes x2's place in q2, ..., until someone who is over
   * their target gives an assignment up (breadth-first, a few links deep).
   * Kept only if the lexicographic objective improves.
   */
  private shiftHoursToShortWorkers(): boolean {
    const { problem, state } = this;
    let changed = false;
    for (let w = 0; w < problem.workerCount; w++) {
      if (state.minutes[w] >= problem.people[w].targetMinutes) continue;
      // The chain search reads only what `reads` lists: skip it when none of that changed since it last came to nothing.
      const memo = this.chainMemo[w];
      if (memo && this.readsStamp(memo) === memo.stamp) continue;
      const before = state.objective();
      const reads: ChainReads = { stamp: 0, expanded: [], examined: [] };
      if (this.hoursChain(w, reads) && compareObjectives(state.objective(), before) > 0) {
        this.journal = [];
        this.chainMemo[w] = undefined;
        changed = true;
      } else {
        this.undoTo(0);
        reads.stamp = this.readsStamp(reads);
        this.chainMemo[w] = reads;
      }
    }
    return changed;
  }

  /** Fingerprint of what a chain search read: the agendas of the people it looked at, the staffing of their requests. */
  private readsStamp(reads: ChainReads): number {
    const { fingerprint, staffingPrint } = this.state;
    let stamp = 0;
    for (const p of reads.expanded) {
      stamp = (Math.imul(stamp, 31) + (fingerprint[p] % 2147483647)) | 0;
      for (const q of this.requestsOf[p]) stamp = (Math.imul(stamp, 31) + staffingPrint[q]) | 0;
    }
    for (const x of reads.examined) stamp = (Math.imul(stamp, 31) + (fingerprint[x] % 2147483647)) | 0;
    return stamp;
  }

  /**
   * For a worker below target, re-staff a request they could serve around
   * them: any start of its window, any colleagues. Kept only if the
   * lexicographic objective improves.
   */
  private restaffForShortWorkers(): boolean {
    const { problem, state } = this;
    let changed = false;
    for (let w = 0; w < problem.workerCount; w++) {
      const list = this.requestsOf[w];
      for (let i = 0; i < list.length; i++) {
        const q = list[i];
        if (state.minutes[w] >= problem.people[w].targetMinutes) break;
        if (!state.isAssigned(q) || state.involves(q, w)) continue;
        const request = problem.requests[q];
        // Cheap test first: w must fit q at some start (q's own people do not matter, w is not one of them).
        if (!request.starts.some((_, k) => isEligible(problem.eligibleWorkers[q][k], w) && state.isFree(w, q, k))) continue;
        // The outcome depends only on the agendas of q's possible people: skip what failed on the same agendas.
        const slot = this.restaffSlot[w] + i;
        const stamp = this.peopleStamp(q);
        if (this.restaffFailed[slot] === stamp) continue;
        const before = state.objective();
        const previous = state.staffing(q)!;
        state.unassign(q);
        const candidate = request.pinnedWorkers.length < request.need ? this.bestStaffing(q, [...request.pinnedWorkers, w]) : null;
        if (candidate) state.assign(q, candidate.startIndex, candidate.supervisor, candidate.workers);
        if (candidate && compareObjectives(state.objective(), before) > 0) {
          changed = true;
          continue;
        }
        state.unassign(q);
        state.assign(q, previous.startIndex, previous.supervisor, previous.workers);
        this.restaffFailed[slot] = stamp;
      }
    }
    return changed;
  }

  /** Finds and applies a chain for worker w (see shiftHoursToShortWorkers); false if none. Lists what it read in `reads`. */
  private hoursChain(w: number, reads: ChainReads): boolean {
    const { problem, state } = this;
    type Link = { person: number; request: number; leaves: number; from: number; parent: number };
    const links: Link[] = [];
    const seen = new Set<number>([w]);
    // Requests a person could join, given they leave `leaves` (-1: nothing).
    const expand = (person: number, leaves: number, parent: number) => {
      reads.expanded.push(person);
      for (const q of this.requestsOf[person]) {
        if (q === leaves || !state.isAssigned(q) || state.involves(q, person)) continue;
        const kq = state.startIndex[q];
        if (!isEligible(problem.eligibleWorkers[q][kq], person) || !state.isFree(person, q, kq, leaves)) continue;
        for (const x of state.team[q]) {
          if (seen.has(x) || problem.requests[q].pinnedWorkers.includes(x)) continue;
          links.push({ person, request: q, leaves, from: x, parent });
        }
      }
    };
    expand(w, -1, -1);
    for (let head = 0; head < links.length && head < HOURS_CHAIN_LINKS; head++) {
      const link = links[head];
      const x = link.from;
      const request = problem.requests[link.request];
      reads.examined.push(x);
      if (state.minutes[x] - request.duration >= problem.people[x].targetMinutes) {
        // x can give this assignment up without falling below target: apply the chain.
        const chain: Link[] = [];
        for (let i = head; i >= 0; i = links[i].parent) chain.unshift(links[i]);
        for (const step of chain) this.replacePerson(step.request, step.from, step.person);
        return true;
      }
      if (seen.has(x)) continue;
      seen.add(x);
      let depth = 0;
      for (let i = head; i >= 0; i = links[i].parent) depth++;
      if (depth < 3) expand(x, link.request, head);
    }
    return false;
  }

  /** Tries a staffing of r; keeps it only if the objective strictly improves. */
  private tryStaffing(r: number, staffing: Staffing): boolean {
    const before = this.state.objective();
    const previous = this.state.staffing(r)!;
    this.state.unassign(r);
    if (![staffing.supervisor, ...staffing.workers].every((p) => this.state.isFree(p, r, staffing.startIndex))) {
      this.state.assign(r, previous.startIndex, previous.supervisor, previous.workers);
      return false;
    }
    this.state.assign(r, staffing.startIndex, staffing.supervisor, staffing.workers);
    if (compareObjectives(this.state.objective(), before) > 0) return true;
    this.state.unassign(r);
    this.state.assign(r, previous.startIndex, previous.supervisor, previous.workers);
    return false;
  }

  private improveWorkers(r: number): boolean {
    const { problem, state } = this;
    const request = problem.requests[r];
    const k = state.startIndex[r];
    let changed = false;
    for (const w of [...state.team[r]]) {
      if (request.pinnedWorkers.includes(w)) continue;
      const team = state.team[r];
      // Best replacement by shortfall change, then travel (w's own legs around r are saved).
      const released = state.shortfallDelta(w, -request.duration);
      const travelSaved = state.travelDelta(w, r, k);
      let best = -1;
      let bestDelta = 0;
      for (const candidate of problem.eligibleWorkers[r][k]) {
        if (team.includes(candidate) || !state.isFree(candidate, r, k)) continue;
        const shortfall = released + state.shortfallDelta(candidate, request.duration);
        if (shortfall > 0) continue;
        const delta = shortfall * 10_000 + state.travelDelta(candidate, r, k) - travelSaved;
        if (delta < bestDelta) {
          bestDelta = delta;
          best = candidate;
        }
      }
      if (best < 0) continue;
      const workers = team.map((x) => (x === w ? best : x));
      if (this.tryStaffing(r, { startIndex: k, supervisor: state.supervisor[r], workers })) changed = true;
    }
    return changed;
  }

  private improveSupervisor(r: number): boolean {
    const { problem, state } = this;
    if (problem.requests[r].pinnedSupervisor >= 0) return false;
    const k = state.startIndex[r];
    const current = state.supervisor[r];
    let best = -1;
    let bestTravel = state.travelDelta(current, r, k); // what the current supervisor's legs around r cost
    for (const s of problem.eligibleSupervisors[r][k]) {
      if (s === current || !state.isFree(s, r, k)) continue;
      const travel = state.travelDelta(s, r, k);
      if (travel < bestTravel) {
        bestTravel = travel;
        best = s;
      }
    }
    if (best < 0) return false;
    return this.tryStaffing(r, { startIndex: k, supervisor: best, workers: [...state.team[r]] });
  }

  private improveStart(r: number): boolean {
    const { problem, state } = this;
    const current = state.staffing(r)!;
    for (let k = 0; k < problem.requests[r].starts.length; k++) {
      if (k === current.startIndex) continue;
      if (!isEligible(problem.eligibleSupervisors[r][k], current.supervisor)) continue;
      if (!current.workers.every((w) => isEligible(problem.eligibleWorkers[r][k], w))) continue;
      if (this.tryStaffing(r, { ...current, startIndex: k })) return true;
    }
    return false;
  }
}

/** A set of person indices as flags (the augmenting search asks it for every candidate). */
class PersonSet {
  private readonly flags: Uint8Array;
  private readonly added: number[] = [];
  constructor(size: number) {
    this.flags = new Uint8Array(size);
  }
  has(p: number): boolean {
    return this.flags[p] === 1;
  }
  add(p: number): void {
    this.flags[p] = 1;
    this.added.push(p);
  }
  delete(p: number): void {
    this.flags[p] = 0;
  }
  clear(): void {
    for (const p of this.added) this.flags[p] = 0;
    this.added.length = 0;
  }
}

/** Pinned whole: an encadrant, a full team and one start; instant mode leaves it exactly as it is. */
function whole(request: Problem["requests"][number]): boolean {
  return request.pinnedSupervisor >= 0 && request.pinnedWorkers.length >= request.need && request.starts.length === 1;
}

interface WorkerOption {
  w: number;
  gain: number;
  travel: number;
}

/** The order bestStaffing picks free workers in: most shortfall gained, least wanted, least travel, then index. */
function compareOptions(a: WorkerOption, b: WorkerOption, pressure: number[]): number {
  return b.gain - a.gain || pressure[a.w] - pressure[b.w] || a.travel - b.travel || a.w - b.w;
}

function isBetterCandidate(a: Candidate, b: Candidate): boolean {
  if (a.shortfallGain !== b.shortfallGain) return a.shortfallGain > b.shortfallGain;
  if (a.travelAdded !== b.travelAdded) return a.travelAdded < b.travelAdded;
  if (a.pressure !== b.pressure) return a.pressure < b.pressure;
  return a.startIndex < b.startIndex;
}
