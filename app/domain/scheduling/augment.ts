// Insertion by re-staffing (augmenting paths): an open request goes in
// without dropping anything, its busy people handing their clashing
// assignments over to colleagues, a few levels deep, within a budget.
import { tryInsert } from "./candidates";
import { conflicts, startIsPossible } from "./problem";
import type { PersonSet, Search } from "./search";

/** Limits of the augmenting search (augmentingInsert), tuned on tests/bench/scheduling.ts. */
export const SEARCH = {
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

/** Inserts r as it fits, or by re-staffing others (augmenting paths); false if neither works. */
export function insert(search: Search, r: number): boolean {
  if (tryInsert(search, r)) return true;
  return search.feasibleAlone[r] && !search.state.isAssigned(r) && augmentingInsert(search, r, SEARCH.repairBudget);
}

/**
 * Insert open request r without dropping anything: when its supervisor or
 * some workers are busy (or at their weekly cap), hand their clashing
 * assignments over to other eligible people, recursively a few levels deep
 * (an augmenting tree). Served minutes strictly grow when this succeeds.
 */
export function augmentingInsert(search: Search, r: number, budget: number): boolean {
  const { problem, state } = search;
  const request = problem.requests[r];
  // Skip a search that already failed while none of r's people has changed since.
  const stamp = search.peopleStamp(r);
  if (search.failedStamp[r] === stamp && search.failedBudget[r] >= budget) return false;
  const mark = search.journal.length;
  search.searchBudget = budget;
  for (let k = 0; k < request.starts.length && search.searchBudget > 0; k++) {
    if (!startIsPossible(problem, r, k)) continue;
    const taken = search.taken;
    taken.clear();
    const supervisor = freeOneOf(search, problem.eligibleSupervisors[r][k], r, k, taken);
    let ok = supervisor >= 0;
    const team: number[] = [];
    for (const w of request.pinnedParticipants) {
      if (!ok) break;
      if (makeFree(search, w, r, k, SEARCH.depth, taken)) {
        team.push(w);
        taken.add(w);
      } else ok = false;
    }
    const eligible = problem.eligibleParticipants[r][k];
    const others = request.pinnedParticipants.length === 0 ? eligible : eligible.filter((w) => !request.pinnedParticipants.includes(w));
    while (ok && team.length < request.need) {
      const w = freeOneOf(search, others, r, k, taken);
      if (w < 0) ok = false;
      else {
        team.push(w);
        taken.add(w);
      }
    }
    if (ok && [supervisor, ...team].every((p) => state.isFree(p, r, k))) {
      search.place(r, { startIndex: k, supervisor, participants: team });
      return true;
    }
    search.undoTo(mark);
  }
  search.failedStamp[r] = search.peopleStamp(r);
  search.failedBudget[r] = budget;
  return false;
}

/** A person of `pool` (not in `avoid`) free or freed for request r at k, or -1. */
function freeOneOf(search: Search, pool: number[], r: number, k: number, avoid: PersonSet): number {
  const { state } = search;
  for (const p of pool) if (!avoid.has(p) && state.isFree(p, r, k)) return p;
  const candidates = search.scratch;
  let length = 0;
  for (const p of pool) if (!avoid.has(p)) candidates[length++] = p;
  for (const p of leastBusy(search, candidates, length, r, k, SEARCH.branching)) {
    if (makeFree(search, p, r, k, SEARCH.depth, avoid)) return p;
  }
  return -1;
}

/** The `count` people of the pool with the fewest clashes with request r at start k. */
function leastBusy(search: Search, pool: ArrayLike<number>, length: number, r: number, k: number, count: number): number[] {
  const chosen: number[] = [];
  const clashes: number[] = [];
  let kept = 0;
  // Big pools: look at a window of them from a random offset, to bound the work.
  const size = Math.min(length, SEARCH.sample);
  const offset = length > size ? Math.floor(search.random() * length) : 0;
  for (let n = 0; n < size; n++) {
    const p = pool[(offset + n) % length];
    const c = clashCount(search, p, r, k, count > kept ? Infinity : clashes[kept - 1]);
    let i = kept;
    while (i > 0 && clashes[i - 1] > c) i--;
    if (i >= count) continue;
    // Insert at i, the last one dropping out when `count` are kept (in place: this runs in the search's inner loop).
    for (let j = Math.min(kept, count - 1); j > i; j--) {
      chosen[j] = chosen[j - 1];
      clashes[j] = clashes[j - 1];
    }
    chosen[i] = p;
    clashes[i] = c;
    if (kept < count) kept++;
  }
  return chosen;
}

/** Number of p's assignments that clash with request r at start k, counting no further than `limit`. */
function clashCount(search: Search, p: number, r: number, k: number, limit: number): number {
  const { problem, state } = search;
  const request = problem.requests[r];
  const start = request.starts[k];
  const end = start + request.duration;
  let count = 0;
  const agenda = state.agenda[p];
  for (let i = state.firstReachable(p, start); i < agenda.length; i++) {
    const q = agenda[i];
    if (q === r) continue;
    const other = problem.requests[q];
    const qStart = state.startOf(q);
    if (qStart >= end + problem.maxTravel) break;
    if (conflicts(problem, request.site, start, end, other.site, qStart, qStart + other.duration) && ++count > limit) break;
  }
  return count;
}

/** Assignments of person p that clash (H6) with request r at start k. */
function clashesOf(search: Search, p: number, r: number, k: number): number[] {
  const { problem, state } = search;
  const request = problem.requests[r];
  const start = request.starts[k];
  const end = start + request.duration;
  const result: number[] = [];
  const agenda = state.agenda[p];
  for (let i = state.firstReachable(p, start); i < agenda.length; i++) {
    const q = agenda[i];
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
function makeFree(search: Search, p: number, r: number, k: number, depth: number, avoid: PersonSet): boolean {
  const { problem, state } = search;
  if (state.isFree(p, r, k)) return true;
  if (depth <= 0 || search.searchBudget-- <= 0) return false;
  const handovers = clashesOf(search, p, r, k);
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
  const mark = search.journal.length;
  avoid.add(p);
  let ok = true;
  for (const q of handovers) {
    if (!handOver(search, q, p, depth - 1, avoid)) {
      ok = false;
      break;
    }
  }
  avoid.delete(p);
  if (ok && state.isFree(p, r, k)) return true;
  search.undoTo(mark);
  return false;
}

/** Give p's place in assignment q to another eligible person, freeing them first if needed. */
function handOver(search: Search, q: number, p: number, depth: number, avoid: PersonSet): boolean {
  const { problem, state } = search;
  const other = problem.requests[q];
  if (other.pinnedSupervisor === p || other.pinnedParticipants.includes(p)) return false;
  if (search.searchBudget-- <= 0) return false;
  const kq = state.startIndex[q];
  const pool = (problem.people[p].isSupervisor ? problem.eligibleSupervisors : problem.eligibleParticipants)[q][kq];
  // Someone free right away (the common case), else recurse on the least busy.
  const candidates = search.scratch;
  let length = 0;
  for (const x of pool) {
    if (avoid.has(x) || state.involves(q, x)) continue;
    if (state.isFree(x, q, kq)) return replacePerson(search, q, p, x);
    candidates[length++] = x;
  }
  if (depth <= 0) return false;
  for (const x of leastBusy(search, candidates, length, q, kq, SEARCH.branching)) {
    if (makeFree(search, x, q, kq, depth, avoid)) return replacePerson(search, q, p, x);
  }
  return false;
}

/** Person x takes p's place in assignment q. */
export function replacePerson(search: Search, q: number, p: number, x: number): boolean {
  const staffing = search.state.staffing(q)!;
  if (staffing.supervisor === p) staffing.supervisor = x;
  else staffing.participants = staffing.participants.map((w) => (w === p ? x : w));
  search.place(q, staffing);
  return true;
}
