// The assignment heuristic: a greedy construction, then a large-neighbourhood
// local search (remove a few assignments, re-insert greedily, keep the result
// unless the lexicographic objective got worse), then small polishing moves
// for the target shortfall and travel. Deterministic: a seeded random
// generator and a fixed iteration budget, never the clock.
import { explainUnassigned } from "./explain";
import type { Instance, Plan, Unassigned } from "./instance";
import { compileProblem, conflicts, startIsPossible, type Problem } from "./problem";
import { PlanState, compareObjectives, type Objective, type Staffing } from "./state";

export interface SolveOptions {
  /** Seed of the local search (default 1). Same seed, same plan. */
  seed?: number;
  /** Local-search iterations; default scales with the instance (see defaultIterations). */
  iterations?: number;
}

export interface SolveStats {
  objective: Objective;
  /** Objective after the greedy construction, before local search. */
  greedyObjective: Objective;
  iterations: number;
  /** Local-search moves that strictly improved the objective. */
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

/** Enough search to settle small weeks, bounded so 1,000 requests stay well under 2 s. */
export function defaultIterations(requestCount: number): number {
  return Math.min(60 * requestCount, 4000 + 8 * requestCount);
}

/** Small, fast, seeded generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function solveProblem(problem: Problem, options: SolveOptions = {}): { state: PlanState; stats: SolveStats } {
  const search = new Search(problem, options.seed ?? 1);
  search.construct();
  const greedyObjective = search.state.objective();
  const iterations = options.iterations ?? defaultIterations(problem.requests.length);
  const improvements = search.improve(iterations);
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

/** A candidate staffing with the secondary criteria used to choose between starts. */
interface Candidate extends Staffing {
  shortfallGain: number;
  travelAdded: number;
  pressure: number;
}

class Search {
  readonly state: PlanState;
  private readonly random: () => number;
  /** How much each person is wanted by the requests, relative to their hours (lower = use first). */
  private readonly pressure: number[];
  /** Requests that some start could staff when considered alone. */
  private readonly feasibleAlone: boolean[];
  /** Requests each person could serve (any start), sorted by first start. */
  private readonly requestsOf: number[][];
  private readonly greedyOrder: number[];

  constructor(
    private readonly problem: Problem,
    seed: number,
  ) {
    this.state = new PlanState(problem);
    this.random = seededRandom(seed);
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
        sups.forEach((p) => supervisors.add(p));
        wks.forEach((p) => workers.add(p));
        bestSupply = Math.max(bestSupply, Math.min(sups.length, wks.length / request.need));
      });
      supply.push(bestSupply);
      for (const s of supervisors) demand[s] += request.duration / supervisors.size;
      for (const w of workers) demand[w] += request.value / workers.size;
      for (const p of [...supervisors, ...workers]) this.requestsOf[p].push(r);
    }
    this.pressure = people.map((p, i) => demand[i] / Math.max(60, p.capMinutes));
    this.feasibleAlone = requests.map((request) => this.canStaffAlone(request.index));
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
  }

  /** Could request r be staffed at some start if nothing else were planned? */
  private canStaffAlone(r: number): boolean {
    return this.problem.requests[r].starts.some((_, k) => startIsPossible(this.problem, r, k));
  }

  construct(): void {
    for (const r of this.greedyOrder) this.tryInsert(r);
  }

  /** Inserts request r with its best staffing; false if none fits the current plan. */
  tryInsert(r: number): boolean {
    if (!this.feasibleAlone[r] || this.state.isAssigned(r)) return false;
    const candidate = this.bestStaffing(r);
    if (!candidate) return false;
    this.state.assign(r, candidate.startIndex, candidate.supervisor, candidate.workers);
    return true;
  }

  /** The best way to staff request r in the current plan, or null. */
  bestStaffing(r: number): Candidate | null {
    const { problem, state, pressure } = this;
    const request = problem.requests[r];
    let best: Candidate | null = null;
    for (let k = 0; k < request.starts.length; k++) {
      const eligibleWorkers = problem.eligibleWorkers[r][k];
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

      // Workers: pinned ones, then those furthest below their target, least wanted, least travel.
      const team: number[] = [];
      let pinnedOk = true;
      for (const w of request.pinnedWorkers) {
        if (!eligibleWorkers.includes(w) || !state.isFree(w, r, k)) {
          pinnedOk = false;
          break;
        }
        team.push(w);
      }
      if (!pinnedOk) continue;
      const missing = request.need - team.length;
      const options: Array<{ w: number; gain: number; travel: number }> = [];
      for (const w of eligibleWorkers) {
        if (team.includes(w) || !state.isFree(w, r, k)) continue;
        options.push({ w, gain: -state.shortfallDelta(w, request.duration), travel: state.travelDelta(w, r, k) });
      }
      if (options.length < missing) continue;
      options.sort(
        (a, b) => b.gain - a.gain || pressure[a.w] - pressure[b.w] || a.travel - b.travel || a.w - b.w,
      );
      let shortfallGain = 0;
      let travelAdded = supervisorTravel;
      let teamPressure = pressure[supervisor];
      for (const w of team) {
        shortfallGain -= state.shortfallDelta(w, request.duration);
        travelAdded += state.travelDelta(w, r, k);
        teamPressure += pressure[w];
      }
      for (let i = 0; i < missing; i++) {
        team.push(options[i].w);
        shortfallGain += options[i].gain;
        travelAdded += options[i].travel;
        teamPressure += pressure[options[i].w];
      }
      const candidate: Candidate = { startIndex: k, supervisor, workers: team, shortfallGain, travelAdded, pressure: teamPressure };
      if (!best || isBetterCandidate(candidate, best)) best = candidate;
    }
    return best;
  }

  /** Local search for `iterations` moves; returns how many strictly improved the plan. */
  improve(iterations: number): number {
    let improvements = 0;
    let cursor = -1;
    for (let iteration = 0; iteration < iterations; iteration++) {
      const before = this.state.objective();
      let accepted: boolean;
      const open = this.random() < 0.6 ? this.nextOpen(cursor) : -1;
      if (open >= 0) {
        cursor = open;
        accepted = this.insertByEjection(this.greedyOrder[open]);
      } else {
        accepted = this.ruinAndRecreate();
      }
      if (accepted && compareObjectives(this.state.objective(), before) > 0) improvements++;
    }
    return improvements;
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
   * Force an open request in: pick a start and the people whose current
   * assignments are cheapest to give up, remove those assignments, staff the
   * request with these people, then re-insert what was removed (with other
   * people or starts) and nearby open requests. Kept only if not worse.
   */
  private insertByEjection(r: number): boolean {
    const { problem } = this;
    const request = problem.requests[r];
    const starts = request.starts.map((_, k) => k).filter((k) => startIsPossible(problem, r, k));
    if (starts.length === 0) return false;
    let plan: { k: number; supervisor: number; workers: number[]; ejected: number[]; cost: number } | null = null;
    // Either the cheapest start or a random one, to diversify.
    const candidates = this.random() < 0.5 ? starts : [starts[Math.floor(this.random() * starts.length)]];
    for (const k of candidates) {
      const option = this.cheapestTeam(r, k);
      if (option && (!plan || option.cost < plan.cost)) plan = { k, ...option };
    }
    if (!plan) return false;
    return this.tryMove(plan.ejected, [...this.noisyOrder(plan.ejected), ...this.relatedOpen(plan.ejected, r)], {
      r,
      startIndex: plan.k,
      supervisor: plan.supervisor,
      workers: plan.workers,
    });
  }

  /** Supervisor and workers for request r at start k that displace the least served time. */
  private cheapestTeam(r: number, k: number): { supervisor: number; workers: number[]; ejected: number[]; cost: number } | null {
    const { problem } = this;
    const request = problem.requests[r];
    const priced = (p: number) => {
      const ejected = this.blockersOf(p, r, k);
      let cost = 0;
      for (const q of ejected) cost += problem.requests[q].value + (problem.requests[q].pinned ? 1e7 : 0);
      return { p, ejected, cost: cost * (1 + 0.3 * this.random()) };
    };
    const supervisors = problem.eligibleSupervisors[r][k].map(priced).sort((a, b) => a.cost - b.cost || a.p - b.p);
    if (supervisors.length === 0) return null;
    const eligible = problem.eligibleWorkers[r][k];
    if (!request.pinnedWorkers.every((w) => eligible.includes(w))) return null;
    const pinned = request.pinnedWorkers.map(priced);
    const others = eligible
      .filter((w) => !request.pinnedWorkers.includes(w))
      .map(priced)
      .sort((a, b) => a.cost - b.cost || a.p - b.p)
      .slice(0, request.need - pinned.length);
    const team = [supervisors[0], ...pinned, ...others];
    if (team.length !== request.need + 1) return null;
    const ejected = [...new Set(team.flatMap((t) => t.ejected))].sort((a, b) => a - b);
    return {
      supervisor: supervisors[0].p,
      workers: [...pinned, ...others].map((t) => t.p),
      ejected,
      cost: team.reduce((sum, t) => sum + t.cost, 0),
    };
  }

  /** Assignments of person p to remove so p can take request r at start k (clashes, then the weekly cap). */
  private blockersOf(p: number, r: number, k: number): number[] {
    const { problem, state } = this;
    const request = problem.requests[r];
    const result: number[] = [];
    let minutes = state.minutes[p] + request.duration;
    for (const q of state.agenda[p]) {
      if (this.clashes(q, r, k)) {
        result.push(q);
        minutes -= problem.requests[q].duration;
      }
    }
    if (minutes > problem.people[p].capMinutes) {
      const rest = state.agenda[p]
        .filter((q) => !result.includes(q))
        .sort((a, b) => problem.requests[a].value - problem.requests[b].value || a - b);
      for (const q of rest) {
        if (minutes <= problem.people[p].capMinutes) break;
        result.push(q);
        minutes -= problem.requests[q].duration;
      }
    }
    return result;
  }

  /** Would assigned request q clash (H6) with request r at start k if they shared a person? */
  private clashes(q: number, r: number, k: number): boolean {
    const { problem, state } = this;
    const a = problem.requests[r];
    const b = problem.requests[q];
    const start = a.starts[k];
    const qStart = state.startOf(q);
    return conflicts(problem, a.site, start, start + a.duration, b.site, qStart, qStart + b.duration);
  }

  /** Remove a random assignment and a few that share its people, then rebuild around them. */
  private ruinAndRecreate(): boolean {
    const { problem, state } = this;
    if (state.assignedCount === 0) return false;
    let seed = Math.floor(this.random() * problem.requests.length);
    while (!state.isAssigned(seed)) seed = (seed + 1) % problem.requests.length;
    const removed = [seed];
    const people = [state.supervisor[seed], ...state.team[seed]];
    const seedStart = state.startOf(seed);
    const seedEnd = seedStart + problem.requests[seed].duration;
    const neighbours = new Set<number>();
    for (const p of people) {
      for (const q of state.agenda[p]) {
        if (q === seed) continue;
        const qStart = state.startOf(q);
        if (Math.abs(qStart - seedStart) < 6 * 60 || Math.abs(qStart - seedEnd) < 6 * 60) neighbours.add(q);
      }
    }
    const list = [...neighbours].sort((a, b) => a - b);
    const extra = Math.floor(this.random() * Math.min(3, list.length + 1));
    for (let i = 0; i < extra && list.length > 0; i++) {
      removed.push(list.splice(Math.floor(this.random() * list.length), 1)[0]);
    }
    return this.tryMove(removed, [...this.noisyOrder([...this.relatedOpen(removed, -1), ...removed])]);
  }

  /** Unassigned requests that the people of the removed requests could serve around the same time. */
  private relatedOpen(removed: number[], exclude: number): number[] {
    const { problem, state } = this;
    const result = new Set<number>();
    for (const q of removed) {
      const qStart = state.isAssigned(q) ? state.startOf(q) : problem.requests[q].starts[0];
      const lo = qStart - 8 * 60;
      const hi = qStart + 8 * 60;
      const people = state.isAssigned(q) ? [state.supervisor[q], ...state.team[q]] : [];
      for (const p of people) {
        for (const r of this.requestsOf[p]) {
          const first = problem.requests[r].starts[0];
          if (first < lo) continue;
          if (first > hi) break;
          if (r !== exclude && !state.isAssigned(r) && this.feasibleAlone[r]) result.add(r);
        }
      }
    }
    return [...result].sort((a, b) => problem.requests[b].value - problem.requests[a].value || a - b).slice(0, 8);
  }

  /** Most valuable first, with some noise so repeated moves explore different orders. */
  private noisyOrder(list: number[]): number[] {
    const { requests } = this.problem;
    const keyed = [...new Set(list)].map((r) => ({
      r,
      key: (requests[r].pinned ? 1e9 : 0) + requests[r].value * (1 + 0.5 * this.random()),
    }));
    keyed.sort((a, b) => b.key - a.key || a.r - b.r);
    return keyed.map((x) => x.r);
  }

  /**
   * Remove `removed`, apply the forced staffing if any, insert `order`
   * greedily; keep the result if the objective is not worse, otherwise
   * restore the previous plan exactly.
   */
  private tryMove(removed: number[], order: number[], forced?: Staffing & { r: number }): boolean {
    const { state } = this;
    const before = state.objective();
    const saved = removed.map((r) => ({ r, staffing: state.staffing(r)! }));
    for (const r of removed) state.unassign(r);
    const inserted: number[] = [];
    if (forced) {
      const { r, startIndex, supervisor, workers } = forced;
      if ([supervisor, ...workers].every((p) => state.isFree(p, r, startIndex))) {
        state.assign(r, startIndex, supervisor, workers);
        inserted.push(r);
      }
    }
    for (const r of order) if (this.tryInsert(r)) inserted.push(r);
    if (compareObjectives(state.objective(), before) >= 0) return true;
    for (const r of inserted) state.unassign(r);
    for (const { r, staffing } of saved) state.assign(r, staffing.startIndex, staffing.supervisor, staffing.workers);
    return false;
  }

  /** Insert anything that still fits, most valuable first. */
  fillGaps(): void {
    for (const r of this.greedyOrder) this.tryInsert(r);
  }

  /**
   * Moves that keep every request as it is (so levels 1-2 hold) and lower the
   * shortfall or the travel: replace one worker or the supervisor, or shift the
   * start inside the window with the same people.
   */
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
      if (!changed) break;
    }
  }

  private improveWorkers(r: number): boolean {
    const { problem, state } = this;
    const request = problem.requests[r];
    const k = state.startIndex[r];
    let changed = false;
    for (const w of [...state.team[r]]) {
      if (request.pinnedWorkers.includes(w)) continue;
      const before = state.objective();
      const team = state.team[r];
      let bestReplacement = -1;
      let bestDelta = 0;
      for (const candidate of problem.eligibleWorkers[r][k]) {
        if (team.includes(candidate) || !state.isFree(candidate, r, k)) continue;
        const shortfall = state.shortfallDelta(w, -request.duration) + state.shortfallDelta(candidate, request.duration);
        const travel = state.travelDelta(candidate, r, k) - this.travelSaved(w, r);
        const delta = shortfall * 10_000 + travel;
        if (delta < bestDelta) {
          bestDelta = delta;
          bestReplacement = candidate;
        }
      }
      if (bestReplacement < 0) continue;
      const supervisor = state.supervisor[r];
      const newTeam = team.map((x) => (x === w ? bestReplacement : x));
      state.unassign(r);
      state.assign(r, k, supervisor, newTeam);
      if (compareObjectives(state.objective(), before) <= 0) {
        state.unassign(r);
        state.assign(r, k, supervisor, team);
      } else changed = true;
    }
    return changed;
  }

  /** Travel that person p saves by leaving request r (r is in p's agenda). */
  private travelSaved(p: number, r: number): number {
    const { state } = this;
    const k = state.startIndex[r];
    const supervisor = state.supervisor[r];
    const team = state.team[r];
    state.unassign(r);
    const delta = state.travelDelta(p, r, k);
    state.assign(r, k, supervisor, team);
    return delta;
  }

  private improveSupervisor(r: number): boolean {
    const { problem, state } = this;
    const request = problem.requests[r];
    if (request.pinnedSupervisor >= 0) return false;
    const k = state.startIndex[r];
    const current = state.supervisor[r];
    const team = state.team[r];
    const saved = this.travelSaved(current, r);
    let best = -1;
    let bestDelta = 0;
    for (const s of problem.eligibleSupervisors[r][k]) {
      if (s === current || !state.isFree(s, r, k)) continue;
      const delta = state.travelDelta(s, r, k) - saved;
      if (delta < bestDelta) {
        bestDelta = delta;
        best = s;
      }
    }
    if (best < 0) return false;
    const before = state.objective();
    state.unassign(r);
    state.assign(r, k, best, team);
    if (compareObjectives(state.objective(), before) > 0) return true;
    state.unassign(r);
    state.assign(r, k, current, team);
    return false;
  }

  private improveStart(r: number): boolean {
    const { problem, state } = this;
    const request = problem.requests[r];
    const before = state.objective();
    const current = state.staffing(r)!;
    const people = [current.supervisor, ...current.workers];
    state.unassign(r);
    let best = current.startIndex;
    let bestObjective = before;
    for (let k = 0; k < request.starts.length; k++) {
      if (k === current.startIndex) continue;
      if (!problem.eligibleSupervisors[r][k].includes(current.supervisor)) continue;
      if (!current.workers.every((w) => problem.eligibleWorkers[r][k].includes(w))) continue;
      if (!people.every((p) => state.isFree(p, r, k))) continue;
      state.assign(r, k, current.supervisor, current.workers);
      const objective = state.objective();
      state.unassign(r);
      if (compareObjectives(objective, bestObjective) > 0) {
        best = k;
        bestObjective = objective;
      }
    }
    state.assign(r, best, current.supervisor, current.workers);
    return best !== current.startIndex;
  }
}

function isBetterCandidate(a: Candidate, b: Candidate): boolean {
  if (a.shortfallGain !== b.shortfallGain) return a.shortfallGain > b.shortfallGain;
  if (a.travelAdded !== b.travelAdded) return a.travelAdded < b.travelAdded;
  if (a.pressure !== b.pressure) return a.pressure < b.pressure;
  return a.startIndex < b.startIndex;
}
