// A mutable plan with the objective kept up to date on every change, so local
// search can try a move and undo it cheaply. Only rules that depend on the
// other assignments (H6 overlap and travel, H7 weekly cap) are checked here;
// the rest is in the precomputed eligibility of the Problem.
import type { Assignment } from "./instance";
import { dayOf, type Problem } from "./problem";
import { formatDateTime } from "./time";

/** Lexicographic objective of the contract, in its order. */
export interface Objective {
  pinnedKept: number;
  servedParticipantMinutes: number;
  shortfall: number;
  travel: number;
}

/** > 0 when a is better than b, < 0 when worse, 0 when equal. */
export function compareObjectives(a: Objective, b: Objective): number {
  if (a.pinnedKept !== b.pinnedKept) return a.pinnedKept - b.pinnedKept;
  if (a.servedParticipantMinutes !== b.servedParticipantMinutes) return a.servedParticipantMinutes - b.servedParticipantMinutes;
  if (a.shortfall !== b.shortfall) return b.shortfall - a.shortfall;
  return b.travel - a.travel;
}

export interface Staffing {
  startIndex: number;
  supervisor: number;
  participants: number[];
}

/** Agenda fingerprints are sums modulo this prime (2^31 - 1: they fit an Int32Array). */
const FINGERPRINT_MODULUS = 2147483647;

/** A pseudo-random integer per (request, start), for agenda fingerprints. */
function agendaHash(r: number, k: number): number {
  return (Math.imul(r + 1, 2654435761) ^ Math.imul(k + 1, 40503)) >>> 0;
}

export class PlanState {
  /** Chosen candidate start index per request, -1 when unassigned. */
  readonly startIndex: Int32Array;
  readonly supervisor: Int32Array;
  readonly team: number[][];
  /** Chosen start (week minutes) per request, meaningful only when assigned. */
  readonly startAt: Int32Array;
  /** Per request duration and site, as flat arrays: the clash test is the search's innermost loop. */
  private readonly durationOf: Int32Array;
  private readonly siteOf: Int32Array;
  /** Longest duration plus longest travel: an assignment starting that long before a start cannot clash with it. */
  private readonly reach: number;
  /** Requests of each person, sorted by start. */
  readonly agenda: number[][];
  readonly minutes: number[];
  private readonly travelOfPerson: number[];
  /**
   * A fingerprint of each person's agenda (a sum over its requests and
   * starts, modulo FINGERPRINT_MODULUS, so undoing a change restores it): a
   * search can skip work whose inputs did not change. Kept reduced, as an
   * integer, because the searches read it far more often than it changes.
   */
  readonly fingerprint: Int32Array;
  /** A fingerprint of each request's staffing (start, encadrant, team; 0 when open), restored by an undo like the agendas'. */
  readonly staffingPrint: Float64Array;
  pinnedKept = 0;
  served = 0;
  shortfall = 0;
  travel = 0;
  assignedCount = 0;

  constructor(readonly problem: Problem) {
    const n = problem.requests.length;
    this.startIndex = new Int32Array(n).fill(-1);
    this.supervisor = new Int32Array(n).fill(-1);
    this.startAt = new Int32Array(n);
    this.durationOf = Int32Array.from(problem.requests, (r) => r.duration);
    this.siteOf = Int32Array.from(problem.requests, (r) => r.site);
    this.reach = problem.requests.reduce((longest, r) => Math.max(longest, r.duration), 0) + problem.maxTravel;
    this.team = Array.from({ length: n }, () => []);
    this.agenda = problem.people.map(() => []);
    this.minutes = problem.people.map(() => 0);
    this.travelOfPerson = problem.people.map(() => 0);
    this.fingerprint = new Int32Array(problem.people.length);
    this.staffingPrint = new Float64Array(n);
    for (let p = 0; p < problem.participantCount; p++) this.shortfall += problem.people[p].targetMinutes;
  }

  objective(): Objective {
    return {
      pinnedKept: this.pinnedKept,
      servedParticipantMinutes: this.served,
      shortfall: this.shortfall,
      travel: this.travel,
    };
  }

  isAssigned(r: number): boolean {
    return this.startIndex[r] >= 0;
  }

  startOf(r: number): number {
    return this.startAt[r];
  }

  staffing(r: number): Staffing | null {
    if (this.startIndex[r] < 0) return null;
    return { startIndex: this.startIndex[r], supervisor: this.supervisor[r], participants: [...this.team[r]] };
  }

  /**
   * The first request of this person that would clash (H6) with request r at
   * start index k, or -1. `ignore` is a request to leave out (r itself when
   * moving it).
   */
  clashWith(person: number, r: number, k: number, ignore = -1): number {
    const { problem, startAt, durationOf, siteOf } = this;
    const start = problem.requests[r].starts[k];
    const end = start + durationOf[r];
    const site = siteOf[r];
    const travel = problem.travel;
    const horizon = end + problem.maxTravel;
    const agenda = this.agenda[person];
    for (let i = this.firstReachable(person, start); i < agenda.length; i++) {
      const q = agenda[i];
      if (q === r || q === ignore) continue;
      const otherStart = startAt[q];
      if (otherStart >= horizon) break; // agenda is sorted by start
      // H6 (see conflicts in problem.ts), inlined.
      const clash = start <= otherStart ? end + travel[site][siteOf[q]] > otherStart : otherStart + durationOf[q] + travel[siteOf[q]][site] > start;
      if (clash) return q;
    }
    return -1;
  }

  /**
   * Index in the person's agenda of the first assignment that could clash
   * with one starting at `start` (those before end, with any travel, before
   * it): a bisection, as an encadrant's week holds dozens.
   */
  firstReachable(person: number, start: number): number {
    const agenda = this.agenda[person];
    if (agenda.length < 8) return 0;
    const { startAt } = this;
    const from = start - this.reach;
    let lo = 0;
    let hi = agenda.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (startAt[agenda[mid]] <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Would this person fit request r at start k, given the rest of the plan (H6, H7)? */
  isFree(person: number, r: number, k: number, ignore = -1): boolean {
    let minutes = this.minutes[person] + this.durationOf[r];
    if (ignore >= 0 && this.isAssigned(ignore) && this.involves(ignore, person)) {
      minutes -= this.durationOf[ignore];
    }
    if (minutes > this.problem.people[person].capMinutes) return false;
    return this.clashWith(person, r, k, ignore) < 0;
  }

  involves(r: number, person: number): boolean {
    return this.supervisor[r] === person || this.team[r].includes(person);
  }

  /** Shortfall change if this worker got `delta` more minutes. */
  shortfallDelta(participant: number, delta: number): number {
    const target = this.problem.people[participant].targetMinutes;
    const before = Math.max(0, target - this.minutes[participant]);
    const after = Math.max(0, target - this.minutes[participant] - delta);
    return after - before;
  }

  /**
   * Travel change if the person took request r at start k. If r is already in
   * the person's agenda it is ignored, so the result is then what r's legs cost.
   */
  travelDelta(person: number, r: number, k: number): number {
    const { problem } = this;
    const request = problem.requests[r];
    const start = request.starts[k];
    let previous = -1;
    let next = -1;
    for (const q of this.agenda[person]) {
      if (q === r) continue;
      if (this.startOf(q) <= start) previous = q;
      else {
        next = q;
        break;
      }
    }
    let delta = 0;
    if (previous >= 0) delta += this.legTravel(previous, r, start);
    if (next >= 0) delta += this.legTravel(next, r, start);
    if (previous >= 0 && next >= 0) delta -= this.legTravel(previous, next, this.startOf(next));
    return delta;
  }

  /** Travel between assigned request a and request b starting at bStart, if on the same day. */
  private legTravel(a: number, b: number, bStart: number): number {
    if (dayOf(this.startOf(a)) !== dayOf(bStart)) return 0;
    return this.problem.travel[this.problem.requests[a].site][this.problem.requests[b].site];
  }

  assign(r: number, k: number, supervisor: number, participants: number[]): void {
    const request = this.problem.requests[r];
    this.startIndex[r] = k;
    this.startAt[r] = request.starts[k];
    this.supervisor[r] = supervisor;
    this.team[r] = [...participants].sort((a, b) => a - b);
    this.served += request.value;
    if (request.pinned) this.pinnedKept++;
    this.assignedCount++;
    let print = (agendaHash(r, k) ^ Math.imul(supervisor + 1, 0x9e3779b1)) >>> 0;
    for (const w of this.team[r]) print = (Math.imul(print, 31) + w + 1) >>> 0;
    this.staffingPrint[r] = print + 1;
    this.addToPerson(supervisor, r);
    for (const w of this.team[r]) this.addToPerson(w, r);
  }

  unassign(r: number): void {
    if (this.startIndex[r] < 0) return;
    const request = this.problem.requests[r];
    this.removeFromPerson(this.supervisor[r], r);
    for (const w of this.team[r]) this.removeFromPerson(w, r);
    this.served -= request.value;
    if (request.pinned) this.pinnedKept--;
    this.assignedCount--;
    this.startIndex[r] = -1;
    this.supervisor[r] = -1;
    this.team[r] = [];
    this.staffingPrint[r] = 0;
  }

  private addToPerson(person: number, r: number) {
    const agenda = this.agenda[person];
    const start = this.startOf(r);
    let i = agenda.length;
    while (i > 0 && this.startOf(agenda[i - 1]) > start) i--;
    agenda.splice(i, 0, r);
    const print = this.fingerprint[person] + (agendaHash(r, this.startIndex[r]) % FINGERPRINT_MODULUS);
    this.fingerprint[person] = print >= FINGERPRINT_MODULUS ? print - FINGERPRINT_MODULUS : print;
    this.changeMinutes(person, this.problem.requests[r].duration);
    this.refreshTravel(person);
  }

  private removeFromPerson(person: number, r: number) {
    const agenda = this.agenda[person];
    agenda.splice(agenda.indexOf(r), 1);
    const print = this.fingerprint[person] - (agendaHash(r, this.startIndex[r]) % FINGERPRINT_MODULUS);
    this.fingerprint[person] = print < 0 ? print + FINGERPRINT_MODULUS : print;
    this.changeMinutes(person, -this.problem.requests[r].duration);
    this.refreshTravel(person);
  }

  private changeMinutes(person: number, delta: number) {
    if (person < this.problem.participantCount) this.shortfall += this.shortfallDelta(person, delta);
    this.minutes[person] += delta;
  }

  private refreshTravel(person: number) {
    const { problem } = this;
    const agenda = this.agenda[person];
    let total = 0;
    for (let i = 1; i < agenda.length; i++) {
      const a = agenda[i - 1];
      const b = agenda[i];
      if (dayOf(this.startOf(a)) === dayOf(this.startOf(b))) {
        total += problem.travel[problem.requests[a].site][problem.requests[b].site];
      }
    }
    this.travel += total - this.travelOfPerson[person];
    this.travelOfPerson[person] = total;
  }

  /** The assignments part of the plan, in instance order. */
  assignments(): Assignment[] {
    const { problem } = this;
    const weekStartMinute = problem.weekStartDay * 1440;
    const result: Assignment[] = [];
    for (const request of problem.requests) {
      const r = request.index;
      if (this.startIndex[r] < 0) continue;
      result.push({
        requestId: request.id,
        start: formatDateTime(weekStartMinute + this.startOf(r)),
        supervisorId: problem.people[this.supervisor[r]].id,
        participantIds: this.team[r].map((w) => problem.people[w].id),
      });
    }
    return result;
  }
}
