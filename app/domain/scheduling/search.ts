// The search's shared state, read and changed by every stage of the
// heuristic (candidates.ts, augment.ts, local-search.ts, polish.ts; engine.ts
// runs them in order): the plan being built (a PlanState), its changes
// journaled so a rejected move is undone exactly, the seeded random
// generator, and the indexes computed once per week (who could serve what,
// how wanted each person is, the orders requests are tried in, neighbours).
import { startIsPossible, type Problem } from "./problem";
import { PlanState, compareObjectives, type Objective, type Staffing } from "./state";
import { seededRandom } from "~/utils/seeded-random.ts";

/** What a fruitless hours chain read (polish.ts): people whose requests it looked through, people whose hours it looked at, and their fingerprint then. */
export interface ChainReads {
  stamp: number;
  expanded: number[];
  examined: number[];
}

/** People looked through to find a request's neighbours (see relatedTo). */
const RELATED_PEOPLE = 24;

export class Search {
  readonly state: PlanState;
  readonly random: () => number;
  /** How much each person is wanted by the requests, relative to their hours (lower = use first). */
  readonly pressure: number[];
  /** Requests that some start could staff when considered alone. */
  readonly feasibleAlone: boolean[];
  /** Requests each person could serve (any start), sorted by first start. */
  readonly requestsOf: number[][];
  /** People who could serve each request (any start). */
  readonly peopleOf: number[][] = [];
  /** Longest time from a request's first start to its latest end, plus travel. */
  longestSpan = 0;
  /** Most valuable first: the order open requests are retried and gaps filled. */
  readonly greedyOrder: number[];
  /** The greedy construction's order (see the header). */
  readonly constructionOrder: number[];
  readonly relatedCache = new Map<number, number[]>();
  /** peopleStamp of each request when its augmenting search last failed (-1: never), and that search's budget. */
  readonly failedStamp: Float64Array;
  readonly failedBudget: Float64Array;
  /** Where each worker's requestsOf list starts in restaffFailed; there, peopleStamp of the request when re-staffing it around the worker last failed. */
  readonly restaffSlot: Int32Array;
  readonly restaffFailed: Float64Array;
  /** What each worker's last fruitless hours chain read, and its fingerprint then (see shiftHoursToShortParticipants). */
  readonly chainMemo: Array<ChainReads | undefined>;
  /** Scratch lists of bestStaffing (never recursive): the free workers of a start, the best of them. */
  readonly freeScratch: Int32Array;
  readonly chosenScratch: Array<{ w: number; gain: number; travel: number }> = [];
  /** Scratch counters for relatedTo, all zero between calls. */
  readonly sharedCount: Int32Array;
  /** Annealing temperature in participant-minutes; 0 accepts only moves that do not worsen the objective. */
  temperature = 0;
  /** Staffing of each changed request before the change, to undo a rejected move. */
  journal: Array<{ r: number; previous: Staffing | null }> = [];

  constructor(
    readonly problem: Problem,
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
      const participants = new Set<number>();
      let bestSupply = 0;
      request.starts.forEach((_, k) => {
        const sups = problem.eligibleSupervisors[r][k];
        const wks = problem.eligibleParticipants[r][k];
        for (const p of sups) supervisors.add(p);
        for (const p of wks) participants.add(p);
        bestSupply = Math.max(bestSupply, Math.min(sups.length, wks.length / request.need));
      });
      supply.push(bestSupply);
      for (const s of supervisors) demand[s] += request.duration / supervisors.size;
      for (const w of participants) demand[w] += request.value / participants.size;
      const everyone = [...supervisors, ...participants];
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
    this.feasibleAlone = requests.map((request) => request.starts.some((_, k) => startIsPossible(problem, request.index, k)));
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

  /** People already in the team being built, or being freed, in the current augmenting search. */
  readonly taken: PersonSet;

  /** Candidates handed to leastBusy, which reads them before any recursion (saves an array per call). */
  readonly scratch: Int32Array;

  /** Work left for the current augmenting search (person expansions). */
  searchBudget = 0;

  place(r: number, staffing: Staffing): void {
    this.journal.push({ r, previous: this.state.staffing(r) });
    this.state.unassign(r);
    this.state.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
  }

  remove(r: number): void {
    this.journal.push({ r, previous: this.state.staffing(r) });
    this.state.unassign(r);
  }

  /** Undo the journaled changes made after `mark`. */
  undoTo(mark: number): void {
    while (this.journal.length > mark) {
      const { r, previous } = this.journal.pop()!;
      this.state.unassign(r);
      if (previous) this.state.assign(r, previous.startIndex, previous.supervisor, previous.participants);
    }
  }

  /** Keep the changes since the move began if `accepts` says so, else undo them. */
  settle(before: Objective): boolean {
    if (this.accepts(before, this.state.objective())) {
      this.journal = [];
      return true;
    }
    this.undoTo(0);
    return false;
  }

  /** Should the search move from `before` to `after`? */
  accepts(before: Objective, after: Objective): boolean {
    if (this.temperature <= 0) return compareObjectives(after, before) >= 0;
    const delta = (after.pinnedKept - before.pinnedKept) * 1e9 + (after.servedParticipantMinutes - before.servedParticipantMinutes);
    if (delta > 0) return true;
    if (delta === 0) return compareObjectives(after, before) >= 0 || this.random() < 0.2;
    return this.random() < Math.exp(delta / this.temperature);
  }

  /** Combined agenda fingerprints of everyone who could serve r. */
  peopleStamp(r: number): number {
    let stamp = 0;
    for (const p of this.peopleOf[r]) stamp = (Math.imul(stamp, 31) + this.state.fingerprint[p]) | 0;
    return stamp;
  }

  /**
   * Requests that could compete with r for a person: they share an eligible
   * person and their possible times come within travel distance. Most shared
   * people first.
   */
  relatedTo(r: number): number[] {
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
      people = [...people].sort((a, b) => this.requestsOf[a].length - this.requestsOf[b].length || a - b).slice(0, RELATED_PEOPLE);
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
}

/** A set of person indices as flags (the augmenting search asks it for every candidate). */
export class PersonSet {
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
