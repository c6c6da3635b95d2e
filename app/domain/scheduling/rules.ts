// checkPlan: every hard rule a plan breaks, with a French message. The
// planning board calls it on an edited plan to say which rule a change would
// break; the solvers' tests use it too (the independent validator lives in
// tests/support/plan-validator.ts).
import { frenchHours, frenchSpan } from "./french";
import type { Instance, Plan, RuleId } from "./instance";
import { compileProblem, conflicts, isAbsent, isInWindow, isUnderContract, type Person, type Problem } from "./problem";
import { MINUTES_PER_DAY, START_GRID_MINUTES, parseDateTime } from "./time";
import { formatCount } from "~/utils/format.ts";

/** `start`: the chosen start is outside [start, latestStart] or off the 15-minute grid. */
export type PlanRule = RuleId | "start";

export interface Violation {
  rule: PlanRule;
  requestId?: string;
  personId?: string;
  message: string;
}

const UNASSIGNED_RULES = new Set(["H2", "H3", "H4", "H5", "H6", "H7", "H8", "capacity"]);

/** All violations of the hard rules H1-H8 (and the start grid) in a plan. */
export function checkPlan(instance: Instance, plan: Plan, problem: Problem = compileProblem(instance)): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: PlanRule, message: string, requestId?: string, personId?: string) => violations.push({ rule, message, ...(requestId ? { requestId } : {}), ...(personId ? { personId } : {}) });
  const requestById = new Map(problem.requests.map((r) => [r.id, r]));
  const personById = new Map(problem.people.map((p) => [p.id, p]));
  const weekStartMinute = problem.weekStartDay * MINUTES_PER_DAY;

  // H1: every request exactly once.
  const seen = new Map<string, number>();
  for (const entry of [...plan.assignments, ...plan.unassigned]) {
    if (!requestById.has(entry.requestId)) add("H1", `Intervention inconnue « ${entry.requestId} ».`, entry.requestId);
    seen.set(entry.requestId, (seen.get(entry.requestId) ?? 0) + 1);
  }
  for (const request of problem.requests) {
    const count = seen.get(request.id) ?? 0;
    if (count === 0) add("H1", `L'intervention ${request.id} n'apparaît ni dans les affectations ni dans les non-affectées.`, request.id);
    if (count > 1) add("H1", `L'intervention ${request.id} apparaît ${count} fois dans le plan.`, request.id);
  }
  for (const entry of plan.unassigned) {
    if (!UNASSIGNED_RULES.has(entry.rule) || !entry.reason) {
      add("H1", `L'intervention non affectée ${entry.requestId} doit nommer une règle (H2 à H8 ou capacity) et une raison.`, entry.requestId);
    }
  }

  // Per-assignment rules; collect each person's agenda for H6 and H7.
  const agenda = new Map<number, Array<{ requestId: string; site: number; start: number; end: number }>>();
  const minutes = new Map<number, number>();
  for (const assignment of plan.assignments) {
    const request = requestById.get(assignment.requestId);
    if (!request) continue;
    const id = request.id;
    const naiveStart = parseDateTime(assignment.start);
    if (naiveStart === null) {
      add("start", `Début « ${assignment.start} » illisible pour ${id}.`, id);
      continue;
    }
    const start = naiveStart - weekStartMinute;
    const end = start + request.duration;
    const span = frenchSpan(naiveStart, naiveStart + request.duration);
    const first = request.starts[0];
    const last = request.starts[request.starts.length - 1];
    if (start < first || start > last || (start - first) % START_GRID_MINUTES !== 0) {
      add("start", `Le début choisi pour ${id} doit être entre le début demandé et latestStart, par pas de 15 min.`, id);
    }

    const supervisor = personById.get(assignment.supervisorId);
    if (!supervisor?.isSupervisor) {
      add("H2", `${assignment.supervisorId} n'est pas un encadrant connu (intervention ${id}).`, id, assignment.supervisorId);
    } else if (supervisor.maxTeamSize < request.need) {
      add("H2", `${supervisor.id} encadre au plus ${formatCount(supervisor.maxTeamSize, "salarié")}, ${id} en demande ${request.need}.`, id, supervisor.id);
    }
    const team: Person[] = [];
    for (const participantId of assignment.participantIds) {
      const participant = personById.get(participantId);
      if (!participant || participant.isSupervisor) add("H2", `${participantId} n'est pas un salarié connu (intervention ${id}).`, id, participantId);
      else team.push(participant);
    }
    if (new Set(assignment.participantIds).size !== assignment.participantIds.length) {
      add("H2", `Un salarié figure deux fois dans l'équipe de ${id}.`, id);
    }
    if (assignment.participantIds.length !== request.need) {
      add("H2", `${id} demande une équipe de ${formatCount(request.need, "salarié")}, le plan en envoie ${assignment.participantIds.length}.`, id);
    }

    const people = supervisor?.isSupervisor ? [supervisor, ...team] : team;
    for (const person of people) {
      const role = person.isSupervisor ? "L'encadrant" : "Le salarié";
      if (!person.skills.has(request.skill)) add("H3", `${role} ${person.id} n'a pas la compétence ${request.skill} demandée par ${id}.`, id, person.id);
      if (!isInWindow(person, start, end)) add("H4", `${role} ${person.id} n'est pas disponible ${span} (${id}).`, id, person.id);
      else if (isAbsent(person, start, end)) add("H4", `${role} ${person.id} est absent·e ${span} (${id}).`, id, person.id);
      if (!person.isSupervisor && !isUnderContract(person, start)) {
        add("H5", `Le salarié ${person.id} n'est pas sous contrat à la date de ${id}.`, id, person.id);
      }
      if (!agenda.has(person.index)) agenda.set(person.index, []);
      agenda.get(person.index)!.push({ requestId: id, site: request.site, start, end });
      minutes.set(person.index, (minutes.get(person.index) ?? 0) + request.duration);
    }

    if (request.pinnedSupervisor >= 0 && assignment.supervisorId !== problem.people[request.pinnedSupervisor].id) {
      add("H8", `${id} est épinglée avec l'encadrant ${problem.people[request.pinnedSupervisor].id}.`, id);
    }
    for (const w of request.pinnedParticipants) {
      if (!assignment.participantIds.includes(problem.people[w].id)) {
        add("H8", `${id} est épinglée avec le salarié ${problem.people[w].id}.`, id, problem.people[w].id);
      }
    }
  }

  // H6 and H7 per person.
  for (const [index, items] of agenda) {
    const person = problem.people[index];
    items.sort((a, b) => a.start - b.start);
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i];
        const b = items[j];
        if (conflicts(problem, a.site, a.start, a.end, b.site, b.start, b.end)) {
          const travel = problem.travel[a.site][b.site];
          add(
            "H6",
            `${person.id} ne peut pas enchaîner ${a.requestId} et ${b.requestId} : ${travel ? `il faut ${travel} min de trajet entre les deux sites` : "les créneaux se chevauchent"}.`,
            b.requestId,
            person.id,
          );
        }
      }
    }
    const used = minutes.get(index) ?? 0;
    if (used > person.capMinutes) {
      add("H7", `${person.id} dépasserait son plafond hebdomadaire : ${frenchHours(used / 60)} affectées pour ${frenchHours(Math.max(0, person.capMinutes) / 60)} possibles.`, undefined, person.id);
    }
  }
  return violations;
}
