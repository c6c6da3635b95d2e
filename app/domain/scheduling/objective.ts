// The lexicographic objective of a plan (CONTRACT.md, "Objective"):
// 1. pinned requests kept (more is better), 2. served participant-minutes (more),
// 3. target shortfall in minutes (less), 4. same-day travel minutes (less).
import type { Instance, Plan } from "./instance";
import { compileProblem, dayOf, type Problem } from "./problem";
import { MINUTES_PER_DAY, parseDateTime } from "./time";

export { compareObjectives, type Objective } from "./state";
import type { Objective } from "./state";

/** Objective of a plan; assignments naming unknown requests or people are ignored. */
export function computeObjective(instance: Instance, plan: Plan, problem: Problem = compileProblem(instance)): Objective {
  const requestById = new Map(problem.requests.map((r) => [r.id, r]));
  const personById = new Map(problem.people.map((p) => [p.id, p]));
  const weekStartMinute = problem.weekStartDay * MINUTES_PER_DAY;
  const minutes = problem.people.map(() => 0);
  const agenda: Array<Array<{ start: number; site: number }>> = problem.people.map(() => []);
  let pinnedKept = 0;
  let servedParticipantMinutes = 0;

  for (const assignment of plan.assignments) {
    const request = requestById.get(assignment.requestId);
    const start = parseDateTime(assignment.start);
    if (!request || start === null) continue;
    if (request.pinned) pinnedKept++;
    servedParticipantMinutes += request.value;
    const weekMinute = start - weekStartMinute;
    for (const id of [assignment.supervisorId, ...assignment.participantIds]) {
      const person = personById.get(id);
      if (!person) continue;
      minutes[person.index] += request.duration;
      agenda[person.index].push({ start: weekMinute, site: request.site });
    }
  }

  let shortfall = 0;
  for (let w = 0; w < problem.participantCount; w++) {
    shortfall += Math.max(0, problem.people[w].targetMinutes - minutes[w]);
  }
  let travel = 0;
  for (const items of agenda) {
    items.sort((a, b) => a.start - b.start);
    for (let i = 1; i < items.length; i++) {
      if (dayOf(items[i - 1].start) === dayOf(items[i].start)) travel += problem.travel[items[i - 1].site][items[i].site];
    }
  }
  return { pinnedKept, servedParticipantMinutes, shortfall, travel };
}
