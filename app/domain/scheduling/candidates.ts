// Candidate search: the best way to staff one request in the current plan
// (every start; the free workers furthest below their target, least wanted
// elsewhere, least travel; the least wanted free encadrant), and the plain
// insertion that places it.
import { isEligible } from "./problem";
import type { Staffing } from "./state";
import type { Search } from "./search";

/** A candidate staffing with the secondary criteria used to choose between starts. */
export interface Candidate extends Staffing {
  shortfallGain: number;
  travelAdded: number;
  pressure: number;
}

export interface ParticipantOption {
  w: number;
  gain: number;
  travel: number;
}

/** Inserts request r with its best staffing; false if none fits the current plan. */
export function tryInsert(search: Search, r: number): boolean {
  if (!search.feasibleAlone[r] || search.state.isAssigned(r)) return false;
  const candidate = bestStaffing(search, r);
  if (!candidate) return false;
  search.place(r, candidate);
  return true;
}

/** The best way to staff request r in the current plan, or null. */
export function bestStaffing(search: Search, r: number, required: number[] = search.problem.requests[r].pinnedParticipants): Candidate | null {
  const { problem, state, pressure } = search;
  const request = problem.requests[r];
  const free = search.freeScratch;
  const chosen = search.chosenScratch;
  let best: Candidate | null = null;
  for (let k = 0; k < request.starts.length; k++) {
    const eligibleParticipants = problem.eligibleParticipants[r][k];

    // Workers (the scarce ones, checked first): the required (pinned) ones, then those furthest below
    // their target, least wanted, least travel.
    const team: number[] = [];
    let pinnedOk = true;
    for (const w of required) {
      if (!isEligible(eligibleParticipants, w) || !state.isFree(w, r, k)) {
        pinnedOk = false;
        break;
      }
      team.push(w);
    }
    if (!pinnedOk) continue;
    const missing = request.need - team.length;
    // Who is free first (often too few: the start is out), then what each would cost.
    let freeCount = 0;
    for (const w of eligibleParticipants) {
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
    const candidate: Candidate = { startIndex: k, supervisor, participants: team, shortfallGain, travelAdded, pressure: teamPressure };
    if (!best || isBetterCandidate(candidate, best)) best = candidate;
  }
  return best;
}

/** The order bestStaffing picks free workers in: most shortfall gained, least wanted, least travel, then index. */
function compareOptions(a: ParticipantOption, b: ParticipantOption, pressure: number[]): number {
  return b.gain - a.gain || pressure[a.w] - pressure[b.w] || a.travel - b.travel || a.w - b.w;
}

function isBetterCandidate(a: Candidate, b: Candidate): boolean {
  if (a.shortfallGain !== b.shortfallGain) return a.shortfallGain > b.shortfallGain;
  if (a.travelAdded !== b.travelAdded) return a.travelAdded < b.travelAdded;
  if (a.pressure !== b.pressure) return a.pressure < b.pressure;
  return a.startIndex < b.startIndex;
}
