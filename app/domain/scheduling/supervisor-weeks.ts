// The construction of a week whose encadrants are the short resource: their
// weekly caps cover less than the interventions' minutes, as in a city's
// structures (some 45 %). Which interventions are done is then a matter of
// each encadrant's whole week, and the greedy construction, one request at a
// time in start order, fills their weeks with the wrong ones. Here each
// encadrant gets their heaviest week (person-week.ts) among the open
// interventions that enough free workers could staff, the heaviest of all
// first, and each intervention of it its pinned workers and the least
// wanted free ones. The greedy construction then fills what is left. After
// the local search, each encadrant's week is planned again the same way, the
// rest of the plan kept (the search moves one intervention at a time, and
// misses a better whole week). Figures: README, "City scale".
import { gcd } from "./exact-model";
import { heaviestWeek, type WeekStep } from "./person-week";
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
  // Pins first, as in the objective: a pinned intervention outweighs all the others together.
  const pinWeight = problem.requests.reduce((sum, r) => sum + r.value, 0) + 1;
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
 * Each encadrant's week planned again, the rest of the plan kept: their
 * interventions are freed and the heaviest week among the open ones staffed
 * (theirs again at worst). Passes over the encadrants until one gains
 * nothing, at most maxPasses. Returns the served minutes gained.
 */
export function replanSupervisorWeeks(search: Search, maxPasses = 3): number {
  const { problem, state } = search;
  const pinWeight = problem.requests.reduce((sum, r) => sum + r.value, 0) + 1;
  const before = state.served;
  for (let pass = 0; pass < maxPasses; pass++) {
    const passStart = state.served;
    for (const person of problem.people) {
      if (!person.isSupervisor) continue;
      const mark = search.journal.length;
      const objective = state.objective();
      const freed = [...state.agenda[person.index]];
      for (const r of freed) search.remove(r);
      const { week } = heaviestWeekNow(search, person.index, pinWeight);
      for (const step of week) staff(search, step, person.index);
      // What they no longer do may go to another encadrant.
      for (const r of freed) tryInsert(search, r);
      if (compareObjectives(state.objective(), objective) < 0) search.undoTo(mark);
    }
    if (state.served <= passStart) break;
  }
  search.journal = [];
  return state.served - before;
}

/** The encadrant's heaviest week among the interventions the current plan leaves open and could staff. */
function heaviestWeekNow(search: Search, supervisor: number, pinWeight: number): { weight: number; week: WeekStep[] } {
  const { problem, state } = search;
  const steps: WeekStep[] = [];
  const weights: number[] = [];
  for (const r of search.requestsOf[supervisor]) {
    if (state.isAssigned(r)) continue;
    const request = problem.requests[r];
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k) || !isEligible(problem.eligibleSupervisors[r][k], supervisor) || !state.isFree(supervisor, r, k)) continue;
      if (!hasFreeTeam(search, r, k)) continue;
      const start = request.starts[k];
      steps.push({ r, k, start, end: start + request.duration, site: request.site, day: dayOf(start), units: request.duration });
      weights.push(request.value + (request.pinned ? pinWeight : 0));
    }
  }
  const order = steps.map((_, i) => i).sort((a, b) => steps[a].start - steps[b].start || steps[a].end - steps[b].end || steps[a].r - steps[b].r);
  const sorted = order.map((i) => steps[i]);
  const unit = sorted.reduce((g, s) => gcd(g, s.units), 0) || 1;
  const week = heaviestWeek(
    problem,
    sorted.map((s) => ({ ...s, units: s.units / unit })),
    Math.floor((problem.people[supervisor].capMinutes - state.minutes[supervisor]) / unit),
    order.map((i) => weights[i]),
  );
  return { weight: week.weight, week: week.steps.map((i) => sorted[i]) };
}

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
