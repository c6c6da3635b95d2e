// Polishing: moves that keep every request served as it is (pins and served
// minutes hold) and lower the shortfall, then travel: replace a worker or the
// encadrant, shift a start, give hours to workers below target along a chain
// or by re-staffing a request around them.
import { replacePerson } from "./augment";
import { bestStaffing } from "./candidates";
import { isEligible } from "./problem";
import type { ChainReads, Search } from "./search";
import { compareObjectives, type Staffing } from "./state";

/** Links examined when looking for a chain that gives hours to a worker below target. */
const HOURS_CHAIN_LINKS = 100;

/** Replace a worker or the supervisor, or shift the start, when it lowers shortfall or travel. */
export function polish(search: Search): void {
  const { problem, state } = search;
  for (let pass = 0; pass < 5; pass++) {
    let changed = false;
    for (const request of problem.requests) {
      const r = request.index;
      if (!state.isAssigned(r)) continue;
      if (improveParticipants(search, r)) changed = true;
      if (improveSupervisor(search, r)) changed = true;
      if (request.starts.length > 1 && improveStart(search, r)) changed = true;
    }
    if (shiftHoursToShortParticipants(search)) changed = true;
    if (restaffForShortParticipants(search)) changed = true;
    if (!changed) break;
  }
  search.journal = [];
}

/**
 * Give hours to workers below their target along a chain: w takes x1's
 * place in q1, x1 takes x2's place in q2, ..., until someone who is over
 * their target gives an assignment up (breadth-first, a few links deep).
 * Kept only if the lexicographic objective improves.
 */
function shiftHoursToShortParticipants(search: Search): boolean {
  const { problem, state } = search;
  let changed = false;
  for (let w = 0; w < problem.participantCount; w++) {
    if (state.minutes[w] >= problem.people[w].targetMinutes) continue;
    // The chain search reads only what `reads` lists: skip it when none of that changed since it last came to nothing.
    const memo = search.chainMemo[w];
    if (memo && readsStamp(search, memo) === memo.stamp) continue;
    const before = state.objective();
    const reads: ChainReads = { stamp: 0, expanded: [], examined: [] };
    if (hoursChain(search, w, reads) && compareObjectives(state.objective(), before) > 0) {
      search.journal = [];
      search.chainMemo[w] = undefined;
      changed = true;
    } else {
      search.undoTo(0);
      reads.stamp = readsStamp(search, reads);
      search.chainMemo[w] = reads;
    }
  }
  return changed;
}

/** Fingerprint of what a chain search read: the agendas of the people it looked at, the staffing of their requests. */
function readsStamp(search: Search, reads: ChainReads): number {
  const { fingerprint, staffingPrint } = search.state;
  let stamp = 0;
  for (const p of reads.expanded) {
    stamp = (Math.imul(stamp, 31) + fingerprint[p]) | 0;
    for (const q of search.requestsOf[p]) stamp = (Math.imul(stamp, 31) + staffingPrint[q]) | 0;
  }
  for (const x of reads.examined) stamp = (Math.imul(stamp, 31) + fingerprint[x]) | 0;
  return stamp;
}

/**
 * For a worker below target, re-staff a request they could serve around
 * them: any start of its window, any colleagues. Kept only if the
 * lexicographic objective improves.
 */
function restaffForShortParticipants(search: Search): boolean {
  const { problem, state } = search;
  let changed = false;
  for (let w = 0; w < problem.participantCount; w++) {
    const list = search.requestsOf[w];
    for (let i = 0; i < list.length; i++) {
      const q = list[i];
      if (state.minutes[w] >= problem.people[w].targetMinutes) break;
      if (!state.isAssigned(q) || state.involves(q, w)) continue;
      const request = problem.requests[q];
      // Its people all pinned (instant mode keeps every staffed team so): no room for w, nothing to try.
      if (request.pinnedParticipants.length >= request.need) continue;
      // Cheap test first: w must fit q at some start (q's own people do not matter, w is not one of them).
      if (!request.starts.some((_, k) => isEligible(problem.eligibleParticipants[q][k], w) && state.isFree(w, q, k))) continue;
      // The outcome depends only on the agendas of q's possible people: skip what failed on the same agendas.
      const slot = search.restaffSlot[w] + i;
      const stamp = search.peopleStamp(q);
      if (search.restaffFailed[slot] === stamp) continue;
      const before = state.objective();
      const previous = state.staffing(q)!;
      state.unassign(q);
      const candidate = bestStaffing(search, q, [...request.pinnedParticipants, w]);
      if (candidate) state.assign(q, candidate.startIndex, candidate.supervisor, candidate.participants);
      if (candidate && compareObjectives(state.objective(), before) > 0) {
        changed = true;
        continue;
      }
      state.unassign(q);
      state.assign(q, previous.startIndex, previous.supervisor, previous.participants);
      search.restaffFailed[slot] = stamp;
    }
  }
  return changed;
}

/** Finds and applies a chain for worker w (see shiftHoursToShortParticipants); false if none. Lists what it read in `reads`. */
function hoursChain(search: Search, w: number, reads: ChainReads): boolean {
  const { problem, state } = search;
  type Link = { person: number; request: number; leaves: number; from: number; parent: number };
  const links: Link[] = [];
  const seen = new Set<number>([w]);
  // Requests a person could join, given they leave `leaves` (-1: nothing).
  const expand = (person: number, leaves: number, parent: number) => {
    reads.expanded.push(person);
    for (const q of search.requestsOf[person]) {
      if (q === leaves || !state.isAssigned(q) || state.involves(q, person)) continue;
      const kq = state.startIndex[q];
      if (!isEligible(problem.eligibleParticipants[q][kq], person) || !state.isFree(person, q, kq, leaves)) continue;
      for (const x of state.team[q]) {
        if (seen.has(x) || problem.requests[q].pinnedParticipants.includes(x)) continue;
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
      for (const step of chain) replacePerson(search, step.request, step.from, step.person);
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
function tryStaffing(search: Search, r: number, staffing: Staffing): boolean {
  const before = search.state.objective();
  const previous = search.state.staffing(r)!;
  search.state.unassign(r);
  if (![staffing.supervisor, ...staffing.participants].every((p) => search.state.isFree(p, r, staffing.startIndex))) {
    search.state.assign(r, previous.startIndex, previous.supervisor, previous.participants);
    return false;
  }
  search.state.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
  if (compareObjectives(search.state.objective(), before) > 0) return true;
  search.state.unassign(r);
  search.state.assign(r, previous.startIndex, previous.supervisor, previous.participants);
  return false;
}

function improveParticipants(search: Search, r: number): boolean {
  const { problem, state } = search;
  const request = problem.requests[r];
  const k = state.startIndex[r];
  let changed = false;
  for (const w of [...state.team[r]]) {
    if (request.pinnedParticipants.includes(w)) continue;
    const team = state.team[r];
    // Best replacement by shortfall change, then travel (w's own legs around r are saved).
    const released = state.shortfallDelta(w, -request.duration);
    const travelSaved = state.travelDelta(w, r, k);
    let best = -1;
    let bestDelta = 0;
    for (const candidate of problem.eligibleParticipants[r][k]) {
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
    const participants = team.map((x) => (x === w ? best : x));
    if (tryStaffing(search, r, { startIndex: k, supervisor: state.supervisor[r], participants })) changed = true;
  }
  return changed;
}

function improveSupervisor(search: Search, r: number): boolean {
  const { problem, state } = search;
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
  return tryStaffing(search, r, { startIndex: k, supervisor: best, participants: [...state.team[r]] });
}

function improveStart(search: Search, r: number): boolean {
  const { problem, state } = search;
  const current = state.staffing(r)!;
  for (let k = 0; k < problem.requests[r].starts.length; k++) {
    if (k === current.startIndex) continue;
    if (!isEligible(problem.eligibleSupervisors[r][k], current.supervisor)) continue;
    if (!current.participants.every((w) => isEligible(problem.eligibleParticipants[r][k], w))) continue;
    if (tryStaffing(search, r, { ...current, startIndex: k })) return true;
  }
  return false;
}
