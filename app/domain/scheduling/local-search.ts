// The local search (repair): simulated annealing on (pins kept, served
// minutes), then strict descent from the best plan seen. Its moves: insert an
// open request by re-staffing others (augment.ts) or force it in by an
// ejection chain that displaces the cheapest assignments and re-places them;
// "ruin and recreate" a few related requests.
import { SEARCH, augmentingInsert, insert } from "./augment";
import { conflicts, isEligible, startIsPossible } from "./problem";
import type { Search } from "./search";
import { compareObjectives, type Staffing } from "./state";

interface Snapshot {
  startIndex: Int32Array;
  supervisor: Int32Array;
  team: number[][];
}

/** A way to force a request in, and the assignments it displaces. */
interface Ejection extends Staffing {
  ejected: number[];
  cost: number;
}

const PINNED_EJECTION_COST = 1e7;

/**
 * Simulated annealing on (pins, served minutes) for 80% of the budget, then
 * strict descent on the whole lexicographic objective from the best plan
 * seen. Returns how many times the best plan improved.
 */
export function improve(search: Search, iterations: number, onProgress?: (share: number) => void): number {
  const { requests } = search.problem;
  if (requests.length === 0) return 0;
  const meanValue = requests.reduce((sum, r) => sum + r.value, 0) / requests.length;
  const annealing = Math.floor(iterations * 0.8);
  let best = snapshot(search);
  let bestObjective = search.state.objective();
  let improvements = 0;
  let cursor = -1;
  const progressEvery = Math.max(1, Math.ceil(iterations / 100));
  for (let iteration = 0; iteration < iterations; iteration++) {
    if (onProgress && iteration % progressEvery === 0) onProgress(iteration / iterations);
    if (iteration === annealing) restore(search, best);
    const cooling = iteration < annealing ? 1 - iteration / annealing : 0;
    search.temperature = 0.3 * meanValue * cooling * cooling;
    const open = search.random() < 0.6 ? nextOpen(search, cursor) : -1;
    if (open >= 0) {
      cursor = open;
      const r = search.greedyOrder[open];
      if (augmentingInsert(search, r, SEARCH.budget)) search.journal = [];
      else ejectionChain(search, r);
    } else {
      ruinAndRecreate(search);
    }
    if (compareObjectives(search.state.objective(), bestObjective) > 0) {
      best = snapshot(search);
      bestObjective = search.state.objective();
      improvements++;
    }
  }
  restore(search, best);
  search.temperature = 0;
  return improvements;
}

/** A copy of the plan (team arrays are never mutated in place, so sharing them is safe). */
function snapshot(search: Search): Snapshot {
  const { state } = search;
  return { startIndex: state.startIndex.slice(), supervisor: state.supervisor.slice(), team: state.team.slice() };
}

function restore(search: Search, snapshot: Snapshot): void {
  const { state } = search;
  for (let r = 0; r < snapshot.startIndex.length; r++) state.unassign(r);
  for (let r = 0; r < snapshot.startIndex.length; r++) {
    if (snapshot.startIndex[r] >= 0) state.assign(r, snapshot.startIndex[r], snapshot.supervisor[r], snapshot.team[r]);
  }
}

/** Position in greedyOrder of the next open request after `cursor` (cyclic), or -1. */
function nextOpen(search: Search, cursor: number): number {
  const n = search.greedyOrder.length;
  for (let step = 1; step <= n; step++) {
    const i = (cursor + step) % n;
    const r = search.greedyOrder[i];
    if (search.feasibleAlone[r] && !search.state.isAssigned(r)) return i;
  }
  return -1;
}

/**
 * Ejection chain: force the open request r in with the people whose current
 * assignments are cheapest to give up, re-place each displaced request
 * greedily or, failing that, by forcing it in the same way (a few levels
 * deep), then fill in open requests nearby.
 */
function ejectionChain(search: Search, r: number): boolean {
  const before = search.state.objective();
  const locked = new Set<number>();
  const displaced = forceIn(search, r, 1 + Math.floor(search.random() * 3), locked);
  for (const q of openAround(search, [r, ...displaced])) insert(search, q);
  return search.settle(before);
}

/** Forces r in (see ejectionChain); returns every request displaced along the chain. */
function forceIn(search: Search, r: number, depth: number, locked: Set<number>): number[] {
  const { problem } = search;
  locked.add(r);
  const request = problem.requests[r];
  const starts = request.starts.map((_, k) => k).filter((k) => startIsPossible(problem, r, k));
  if (starts.length === 0) return [];
  // Either every start (cheapest wins) or one at random, to diversify.
  const candidates = search.random() < 0.5 ? starts : [starts[Math.floor(search.random() * starts.length)]];
  let chosen: Ejection | null = null;
  for (const k of candidates) {
    const option = cheapestTeam(search, r, k, locked);
    if (option && (!chosen || option.cost < chosen.cost)) chosen = option;
  }
  if (!chosen) return [];
  for (const q of chosen.ejected) search.remove(q);
  search.place(r, chosen);
  const displaced = [...chosen.ejected];
  for (const q of noisyOrder(search, chosen.ejected)) {
    if (insert(search, q) || depth <= 0 || locked.has(q)) continue;
    displaced.push(...forceIn(search, q, depth - 1, locked));
  }
  return displaced;
}

/** Supervisor and workers for request r at start k that displace the least served time. */
function cheapestTeam(search: Search, r: number, k: number, locked: Set<number>): Ejection | null {
  const { problem } = search;
  const request = problem.requests[r];
  const priced = (p: number) => {
    const ejected = blockersOf(search, p, r, k);
    let cost = 0;
    for (const q of ejected) {
      if (locked.has(q)) cost = Infinity;
      cost += problem.requests[q].value + (problem.requests[q].pinned ? PINNED_EJECTION_COST : 0);
    }
    return { p, ejected, cost: cost * (1 + 0.3 * search.random()) };
  };
  const byCost = (a: { p: number; cost: number }, b: { p: number; cost: number }) => a.cost - b.cost || a.p - b.p;
  const supervisors = problem.eligibleSupervisors[r][k].map(priced).sort(byCost);
  const eligible = problem.eligibleParticipants[r][k];
  if (!request.pinnedParticipants.every((w) => isEligible(eligible, w))) return null;
  const pinned = request.pinnedParticipants.map(priced);
  const others = eligible
    .filter((w) => !request.pinnedParticipants.includes(w))
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
    participants: [...pinned, ...others].map((t) => t.p),
    ejected: [...new Set(team.flatMap((t) => t.ejected))].sort((a, b) => a - b),
    cost,
  };
}

/** Assignments of person p to remove so p can take request r at start k (clashes, then the weekly cap). */
function blockersOf(search: Search, p: number, r: number, k: number): number[] {
  const { problem, state } = search;
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
    const rest = state.agenda[p].filter((q) => q !== r && !result.includes(q)).sort((a, b) => problem.requests[a].value - problem.requests[b].value || a - b);
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
function ruinAndRecreate(search: Search): boolean {
  const { problem, state } = search;
  const n = problem.requests.length;
  let seed = Math.floor(search.random() * n);
  for (let i = 0; i < n && !search.feasibleAlone[seed]; i++) seed = (seed + 1) % n;
  if (!search.feasibleAlone[seed]) return false;
  const size = 2 + Math.floor(search.random() * 7);
  const chosen = [seed];
  const inChosen = new Set(chosen);
  for (let attempt = 0; attempt < 4 * size && chosen.length < size; attempt++) {
    const related = search.relatedTo(chosen[Math.floor(search.random() * chosen.length)]);
    if (related.length === 0) continue;
    // Favour the most related (most shared people) without always taking them.
    const pick = related[Math.floor(related.length * search.random() * search.random())];
    if (!inChosen.has(pick)) {
      inChosen.add(pick);
      chosen.push(pick);
    }
  }
  const before = state.objective();
  for (const r of chosen) if (state.isAssigned(r)) search.remove(r);
  for (const r of noisyOrder(search, [...chosen, ...openAround(search, chosen)])) insert(search, r);
  return search.settle(before);
}

/** Open requests related to these, most valuable first (a few). */
function openAround(search: Search, requests: number[]): number[] {
  const result = new Set<number>();
  for (const q of requests) {
    for (const r of search.relatedTo(q)) {
      if (search.feasibleAlone[r] && !search.state.isAssigned(r)) result.add(r);
    }
  }
  const { requests: all } = search.problem;
  return [...result].sort((a, b) => all[b].value - all[a].value || a - b).slice(0, 8);
}

/** Pinned first, then most valuable, with noise so repeated moves explore different orders. */
function noisyOrder(search: Search, list: number[]): number[] {
  const { requests } = search.problem;
  const keyed = [...new Set(list)].map((r) => ({
    r,
    key: (requests[r].pinned ? 1e9 : 0) + requests[r].value * (1 + 0.5 * search.random()),
  }));
  keyed.sort((a, b) => b.key - a.key || a.r - b.r);
  return keyed.map((x) => x.r);
}
