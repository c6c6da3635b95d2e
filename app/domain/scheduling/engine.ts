// The assignment heuristic:
// 1. greedy construction: pinned requests first, then by served minutes
//    (workersNeeded x duration), then the scarcest; each request takes the
//    start and people that best help the shortfall and travel while keeping
//    the people most wanted elsewhere free;
// 2. local search by simulated annealing on (pins, served minutes) with two
//    moves: an ejection chain that forces an open request in and re-places
//    what it displaced, and a related "ruin and recreate"; then strict descent
//    on the whole lexicographic objective from the best plan seen;
// 3. polishing moves that keep every request and lower shortfall and travel.
// Deterministic: a seeded random generator and a fixed iteration budget,
// never the clock.
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

/** A way to force a request in, and the assignments it displaces. */
interface Ejection extends Staffing {
  ejected: number[];
  cost: number;
}

const PINNED_EJECTION_COST = 1e7;

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
  private readonly greedyOrder: number[];
  private readonly relatedCache = new Map<number, number[]>();
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
      const everyone = [...supervisors, ...workers];
      for (const p of everyone) this.requestsOf[p].push(r);
      this.peopleOf.push(everyone);
      const span = request.starts[request.starts.length - 1] - request.starts[0] + request.duration + problem.maxTravel;
      this.longestSpan = Math.max(this.longestSpan, span);
    }
    this.pressure = people.map((p, i) => demand[i] / Math.max(60, p.capMinutes));
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
    const primary = (o: Objective) => o.pinnedKept * 1e9 + o.servedWorkerMinutes;
    const delta = primary(after) - primary(before);
    if (delta > 0) return true;
    if (delta === 0) return compareObjectives(after, before) >= 0 || this.random() < 0.2;
    return this.random() < Math.exp(delta / this.temperature);
  }

  // --- Construction.

  construct(): void {
    for (const r of this.greedyOrder) this.tryInsert(r);
    this.journal = [];
  }

  /** Insert anything that still fits, most valuable first. */
  fillGaps(): void {
    for (const r of this.greedyOrder) this.tryInsert(r);
    this.journal = [];
  }

  /** Inserts r as it fits, or by re-staffing others (augmenting paths); false if neither works. */
  private insert(r: number): boolean {
    if (this.tryInsert(r)) return true;
    return (globalThis as any).__A !== 0 && this.feasibleAlone[r] && !this.state.isAssigned(r) && this.augmentingInsert(r);
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
  private bestStaffing(r: number): Candidate | null {
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

      // Workers: the pinned ones, then those furthest below their target, least wanted, least travel.
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
      const V = (globalThis as any).__V ?? 1;
      if (V === 1) options.sort((a, b) => b.gain - a.gain || pressure[a.w] - pressure[b.w] || a.travel - b.travel || a.w - b.w);
      else if (V === 2) options.sort((a, b) => pressure[a.w] - pressure[b.w] || b.gain - a.gain || a.travel - b.travel || a.w - b.w);
      else options.sort((a, b) => a.w - b.w);
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

  // --- Local search.

  /**
   * Simulated annealing on (pins, served minutes) for 80% of the budget, then
   * strict descent on the whole lexicographic objective from the best plan
   * seen. Returns how many times the best plan improved.
   */
  improve(iterations: number): number {
    const { requests } = this.problem;
    if (requests.length === 0) return 0;
    const meanValue = requests.reduce((sum, r) => sum + r.value, 0) / requests.length;
    const annealing = Math.floor(iterations * 0.8);
    let best = this.snapshot();
    let bestObjective = this.state.objective();
    let improvements = 0;
    let cursor = -1;
    for (let iteration = 0; iteration < iterations; iteration++) {
      if (iteration === annealing) this.restore(best);
      const cooling = iteration < annealing ? 1 - iteration / annealing : 0;
      this.temperature = ((globalThis as any).__T ?? 0.3) * meanValue * cooling * cooling;
      const open = this.random() < ((globalThis as any).__P ?? 0.6) ? this.nextOpen(cursor) : -1;
      if (open >= 0) {
        cursor = open;
        const r = this.greedyOrder[open];
        if (this.augmentingInsert(r)) this.journal = [];
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

  private snapshot(): Array<Staffing | null> {
    return this.problem.requests.map((r) => this.state.staffing(r.index));
  }

  private restore(snapshot: Array<Staffing | null>): void {
    const { state } = this;
    for (let r = 0; r < snapshot.length; r++) state.unassign(r);
    snapshot.forEach((staffing, r) => {
      if (staffing) state.assign(r, staffing.startIndex, staffing.supervisor, staffing.workers);
    });
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
   * some workers are busy, find for each missing person an augmenting path
   * "p0 takes r, p0's clashing assignment q1 is taken over by p1, p1's
   * clashing assignment q2 by p2, ..., pn is free". Served minutes strictly
   * grow, so this is always kept when it succeeds.
   */
  augmentingInsert(r: number): boolean {
    const { problem, state } = this;
    const request = problem.requests[r];
    const mark = this.journal.length;
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k)) continue;
      // Supervisor.
      const supervisors = problem.eligibleSupervisors[r][k];
      let supervisor = supervisors.find((s) => state.isFree(s, r, k)) ?? -1;
      if (supervisor < 0) supervisor = this.augment(r, k, supervisors, new Set());
      // Workers: pinned ones must be free or freed, then the others.
      const team: number[] = [];
      const taken = new Set<number>();
      let ok = supervisor >= 0;
      for (const w of request.pinnedWorkers) {
        if (!ok) break;
        taken.add(w);
        const freed = state.isFree(w, r, k) ? w : this.augment(r, k, [w], taken);
        if (freed < 0) ok = false;
        else team.push(w);
      }
      const others = problem.eligibleWorkers[r][k].filter((w) => !request.pinnedWorkers.includes(w));
      for (const w of others) {
        if (!ok || team.length === request.need) break;
        if (state.isFree(w, r, k)) {
          team.push(w);
          taken.add(w);
        }
      }
      while (ok && team.length < request.need) {
        const freed = this.augment(r, k, others.filter((w) => !taken.has(w)), taken);
        if (freed < 0) ok = false;
        else {
          team.push(freed);
          taken.add(freed);
        }
      }
      if (ok && [supervisor, ...team].every((p) => state.isFree(p, r, k))) {
        this.place(r, { startIndex: k, supervisor, workers: team });
        return true;
      }
      this.undoTo(mark); // the paths applied for this start
    }
    return false;
  }

  /** Undo the journaled changes made after `mark`. */
  private undoTo(mark: number): void {
    while (this.journal.length > mark) {
      const { r, previous } = this.journal.pop()!;
      this.state.unassign(r);
      if (previous) this.state.assign(r, previous.startIndex, previous.supervisor, previous.workers);
    }
  }

  /**
   * Breadth-first search for an augmenting path that frees one of `starts`
   * for request r at start k; applies it and returns the freed person, or -1.
   * `avoid` are people already spoken for.
   */
  private augment(r: number, k: number, starts: number[], avoid: Set<number>): number {
    const { problem, state } = this;
    type Node = { person: number; target: number; targetStart: number; parent: number; blocker: number };
    const nodes: Node[] = [];
    const visited = new Set<number>(avoid);
    for (const p of starts) {
      if (visited.has(p)) continue;
      visited.add(p);
      nodes.push({ person: p, target: r, targetStart: k, parent: -1, blocker: -1 });
    }
    for (let head = 0; head < nodes.length && nodes.length < 400; head++) {
      const node = nodes[head];
      const handovers = this.handoversFor(node.person, node.target, node.targetStart);
      if (handovers === null) continue;
      if (handovers.length === 0) {
        // This person is free for the target: apply the path.
        if (node.parent < 0) return node.person;
        this.applyPath(nodes, head);
        return nodes[this.rootOf(nodes, head)].person;
      }
      if (this.depthOf(nodes, head) >= 4) continue;
      for (const q of handovers) {
        const other = problem.requests[q];
        if (other.pinnedSupervisor === node.person || other.pinnedWorkers.includes(node.person)) continue;
        const kq = state.startIndex[q];
        const pool = problem.people[node.person].isSupervisor ? problem.eligibleSupervisors[q][kq] : problem.eligibleWorkers[q][kq];
        for (const next of pool) {
          if (visited.has(next) || state.involves(q, next)) continue;
          visited.add(next);
          nodes.push({ person: next, target: q, targetStart: kq, parent: head, blocker: q });
        }
      }
    }
    return -1;
  }

  /**
   * For person p to take request r at start k: [] if p is free, the
   * assignments p could hand over (any one of them suffices) to become free,
   * or null if handing over one assignment is not enough.
   */
  private handoversFor(p: number, r: number, k: number): number[] | null {
    const { problem, state } = this;
    const request = problem.requests[r];
    const start = request.starts[k];
    const end = start + request.duration;
    const cap = problem.people[p].capMinutes;
    let clash = -1;
    for (const q of state.agenda[p]) {
      if (q === r) continue;
      const other = problem.requests[q];
      const qStart = state.startOf(q);
      if (qStart >= end + problem.maxTravel) break;
      if (conflicts(problem, request.site, start, end, other.site, qStart, qStart + other.duration)) {
        if (clash >= 0) return null;
        clash = q;
      }
    }
    const minutes = state.minutes[p] + request.duration;
    if (clash >= 0) return minutes - problem.requests[clash].duration <= cap ? [clash] : null;
    if (minutes <= cap) return [];
    const enough = state.agenda[p].filter((q) => q !== r && minutes - problem.requests[q].duration <= cap);
    return enough.length > 0 ? enough : null;
  }

  private depthOf(nodes: Array<{ parent: number }>, index: number): number {
    let depth = 0;
    for (let i = index; nodes[i].parent >= 0; i = nodes[i].parent) depth++;
    return depth;
  }

  private rootOf(nodes: Array<{ parent: number }>, index: number): number {
    let i = index;
    while (nodes[i].parent >= 0) i = nodes[i].parent;
    return i;
  }

  /**
   * Apply the path ending at nodes[end]: from the free end backwards, each
   * person takes over the assignment that blocked the previous one.
   */
  private applyPath(nodes: Array<{ person: number; target: number; parent: number }>, end: number): void {
    const { state } = this;
    for (let i = end; nodes[i].parent >= 0; i = nodes[i].parent) {
      const q = nodes[i].target;
      const leaving = nodes[nodes[i].parent].person;
      const staffing = state.staffing(q)!;
      const person = nodes[i].person;
      if (staffing.supervisor === leaving) staffing.supervisor = person;
      else staffing.workers = staffing.workers.map((w) => (w === leaving ? person : w));
      this.place(q, staffing);
    }
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
    if (!request.pinnedWorkers.every((w) => eligible.includes(w))) return null;
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
    const shared = new Map<number, number>();
    for (const p of this.peopleOf[r]) {
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
        shared.set(q, (shared.get(q) ?? 0) + 1);
      }
    }
    const related = [...shared.keys()].sort((a, b) => shared.get(b)! - shared.get(a)! || a - b).slice(0, 40);
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
      if (!changed) break;
    }
    this.journal = [];
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
      // Best replacement by shortfall change, then travel.
      let best = -1;
      let bestDelta = 0;
      for (const candidate of problem.eligibleWorkers[r][k]) {
        if (team.includes(candidate) || !state.isFree(candidate, r, k)) continue;
        const shortfall = state.shortfallDelta(w, -request.duration) + state.shortfallDelta(candidate, request.duration);
        const delta = shortfall * 10_000 + state.travelDelta(candidate, r, k);
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
    let bestTravel = Infinity;
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
      if (!problem.eligibleSupervisors[r][k].includes(current.supervisor)) continue;
      if (!current.workers.every((w) => problem.eligibleWorkers[r][k].includes(w))) continue;
      if (this.tryStaffing(r, { ...current, startIndex: k })) return true;
    }
    return false;
  }
}

function isBetterCandidate(a: Candidate, b: Candidate): boolean {
  if (a.shortfallGain !== b.shortfallGain) return a.shortfallGain > b.shortfallGain;
  if (a.travelAdded !== b.travelAdded) return a.travelAdded < b.travelAdded;
  if (a.pressure !== b.pressure) return a.pressure < b.pressure;
  return a.startIndex < b.startIndex;
}
