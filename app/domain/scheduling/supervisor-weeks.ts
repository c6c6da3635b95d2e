// The construction of a week whose encadrants are the short resource: their
// weekly caps cover less than the interventions' minutes, as in a city's
// structures (some 45 %). Which interventions are done is then a matter of
// each encadrant's whole week, and the greedy construction, one request at a
// time in start order, fills their weeks with the wrong ones. Here each
// encadrant gets their heaviest week (person-week.ts) among the open
// interventions that enough free workers could staff, the heaviest of all
// first, and each intervention of it its pinned workers and the least
// wanted free ones. The greedy construction then fills what is left. After
// the local search, each encadrant's week, alone then with another's, is
// planned again the same way, the rest of the plan kept (the search moves
// one intervention at a time, and misses a better whole week). Figures:
// README, "City scale".
import { heaviestWeek, inWeekOrder, type WeekStep } from "./person-week";
import { dayOf, isEligible, startIsPossible, type Problem } from "./problem";
import type { Search } from "./search";
import { compareObjectives } from "./state";
import { tryInsert } from "./candidates";

/** Do the encadrants' weekly caps cover less than the interventions' minutes? */
export function supervisorsAreShort(problem: Problem): boolean {
  const supervisorMinutes = problem.people.reduce((sum, p) => sum + (p.isSupervisor ? p.capMinutes : 0), 0);
  const interventionMinutes = problem.requests.reduce((sum, r) => sum + r.duration, 0);
  return supervisorMinutes < interventionMinutes;
}

/**
 * Staffs the encadrants' weeks one encadrant at a time, heaviest week first.
 * A week only gets lighter as the plan fills, so an encadrant whose week,
 * computed on the current plan, is still the heaviest of those computed
 * earlier goes next (the others are computed again only when they come to
 * the top).
 */
export function constructBySupervisorWeeks(search: Search): void {
  const { problem } = search;
  const pinWeight = pinWeightOf(problem);
  let version = 0;
  const waiting = problem.people.filter((p) => p.isSupervisor).map((p) => ({ person: p.index, version: -1, weight: Number.POSITIVE_INFINITY, week: [] as WeekStep[] }));
  while (waiting.length > 0) {
    let top = 0;
    for (let i = 1; i < waiting.length; i++) {
      const [a, b] = [waiting[i], waiting[top]];
      if (a.weight > b.weight || (a.weight === b.weight && a.person < b.person)) top = i;
    }
    const next = waiting[top];
    if (next.version !== version) {
      Object.assign(next, heaviestWeekNow(search, next.person, pinWeight), { version });
      continue;
    }
    waiting.splice(top, 1);
    if (next.weight <= 0) break;
    for (const step of next.week) if (staff(search, step, next.person)) version++;
  }
  search.journal = [];
}

/**
 * The encadrants' weeks planned again, the rest of the plan kept: one
 * encadrant's interventions are freed and their heaviest week among the open
 * ones staffed (theirs again at worst); then two encadrants who could do a
 * same intervention, in either order (one's week may be best left to the
 * other). A change is kept when the plan is better. One pass: a second
 * served 0.14 % more on the 5,000-request city week for 10 % more time, past
 * the CLI's 10 s. Returns the served minutes gained.
 */
export function replanSupervisorWeeks(search: Search): number {
  const { problem, state } = search;
  const pinWeight = pinWeightOf(problem);
  const supervisors = problem.people.filter((p) => p.isSupervisor).map((p) => p.index);
  const replan = (order: readonly number[]) => {
    const mark = search.journal.length;
    const objective = state.objective();
    const freed = order.flatMap((e) => [...state.agenda[e]]);
    for (const r of freed) search.remove(r);
    for (const e of order) for (const step of heaviestWeekNow(search, e, pinWeight).week) staff(search, step, e);
    // What they no longer do may go to another encadrant.
    for (const r of freed) tryInsert(search, r);
    if (compareObjectives(state.objective(), objective) <= 0) search.undoTo(mark);
  };
  const before = state.served;
  for (const e of supervisors) replan([e]);
  for (const [i, a] of supervisors.entries()) {
    const mine = new Set(search.requestsOf[a]);
    for (const b of supervisors.slice(i + 1)) {
      if (!search.requestsOf[b].some((r) => mine.has(r))) continue;
      replan([a, b]);
      replan([b, a]);
    }
  }
  search.journal = [];
  return state.served - before;
}

/** Pins first, as in the objective: a pinned intervention outweighs all the others together. */
function pinWeightOf(problem: Problem): number {
  return problem.requests.reduce((sum, r) => sum + r.value, 0) + 1;
}

/** The encadrant's heaviest week among the interventions the current plan leaves open and could staff. */
function heaviestWeekNow(search: Search, supervisor: number, pinWeight: number): { weight: number; week: WeekStep[] } {
  const { problem, state } = search;
  const { steps, unit } = candidateSteps(search, supervisor);
  const weights = new Float64Array(steps.length);
  steps.forEach((step, i) => {
    if (state.isAssigned(step.r) || !state.isFree(supervisor, step.r, step.k) || !hasFreeTeam(search, step.r, step.k)) return;
    const request = problem.requests[step.r];
    weights[i] = request.value + (request.pinned ? pinWeight : 0);
  });
  const week = heaviestWeek(problem, steps, Math.floor((problem.people[supervisor].capMinutes - state.minutes[supervisor]) / unit), weights);
  return { weight: week.weight, week: week.steps.map((i) => steps[i]) };
}

/** Every intervention and start the encadrant could do, in start order, in units of the gcd of their durations: computed once per search. */
const candidatesOf = new WeakMap<Search, Map<number, { steps: WeekStep[]; unit: number }>>();
function candidateSteps(search: Search, supervisor: number): { steps: WeekStep[]; unit: number } {
  const { problem } = search;
  if (!candidatesOf.has(search)) candidatesOf.set(search, new Map());
  const known = candidatesOf.get(search)!;
  const cached = known.get(supervisor);
  if (cached) return cached;
  const steps: WeekStep[] = [];
  for (const r of search.requestsOf[supervisor]) {
    const request = problem.requests[r];
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k) || !isEligible(problem.eligibleSupervisors[r][k], supervisor)) continue;
      const start = request.starts[k];
      steps.push({ r, k, start, end: start + request.duration, site: request.site, day: dayOf(start), units: request.duration });
    }
  }
  const result = { steps, unit: inWeekOrder(steps) };
  known.set(supervisor, result);
  return result;
}

/** Could request r at start k get a full team of free workers, its pinned ones included? */
function hasFreeTeam(search: Search, r: number, k: number): boolean {
  const { problem, state } = search;
  const request = problem.requests[r];
  if (request.pinnedParticipants.some((w) => !state.isFree(w, r, k))) return false;
  let missing = request.need - request.pinnedParticipants.length;
  for (const w of problem.eligibleParticipants[r][k]) {
    if (missing <= 0) break;
    if (!request.pinnedParticipants.includes(w) && state.isFree(w, r, k)) missing--;
  }
  return missing <= 0;
}

/** Pinned workers and the least wanted free ones, a full team for request r at start k, or null. */
function freeTeam(search: Search, r: number, k: number): number[] | null {
  const { problem, state, pressure } = search;
  const request = problem.requests[r];
  if (request.pinnedParticipants.some((w) => !state.isFree(w, r, k))) return null;
  const free = problem.eligibleParticipants[r][k].filter((w) => !request.pinnedParticipants.includes(w) && state.isFree(w, r, k));
  if (request.pinnedParticipants.length + free.length < request.need) return null;
  free.sort((a, b) => pressure[a] - pressure[b] || a - b);
  return [...request.pinnedParticipants, ...free].slice(0, request.need);
}

/** Places the step with this encadrant if the plan still allows it (the week's path checked only consecutive steps). */
function staff(search: Search, step: WeekStep, supervisor: number): boolean {
  if (search.state.isAssigned(step.r) || !search.state.isFree(supervisor, step.r, step.k)) return false;
  const team = freeTeam(search, step.r, step.k);
  if (!team) return false;
  search.place(step.r, { startIndex: step.k, supervisor, participants: team });
  return true;
}
