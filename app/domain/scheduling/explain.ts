// Why a request is left unassigned, in words a coordinator can act on.
//
// The rule is found by looking at the request alone, as if nothing else were
// planned, and filtering the people rule by rule: skill (H3), team size (H2),
// contract (H5), availability (H4), weekly cap (H7), then the pins (H8). The
// first filter that leaves too few people names the rule. When the request
// could be staffed alone, it lost to other requests: rule `capacity` (or H8
// for a pinned request whose pinned people are taken).
import type { UnassignedRule } from "./instance";
import { frenchDay, frenchDuration, frenchHours, frenchList, frenchSpan } from "./french";
import { canServeAlone, dayOf, isAbsent, isInWindow, isUnderContract, type Person, type Problem, type Request } from "./problem";
import type { PlanState } from "./state";
import { MINUTES_PER_DAY } from "./time";
import { formatCount } from "~/utils/format.ts";

export interface Explanation {
  rule: UnassignedRule;
  reason: string;
}

interface Blocker {
  /** How far the request got: higher means fewer rules block it. */
  depth: number;
  rule: UnassignedRule;
  reason: string;
}

const MAX_NAMES = 4;

function names(people: Person[]): string {
  const ids = people.map((p) => p.id);
  if (ids.length <= MAX_NAMES) return frenchList(ids);
  return `${ids.slice(0, MAX_NAMES).join(", ")} et ${formatCount(ids.length - MAX_NAMES, "autre")}`;
}

function salaries(count: number): string {
  return formatCount(count, "salarié");
}

/**
 * "Aucun salarié … n'est libre" / "Un seul salarié … est libre" / "Seuls 2
 * salariés … sont libres": French agreement for a count of workers.
 */
function onlyParticipants(count: number, qualifier: string, verb: { none: string; one: string; many: string }): string {
  if (count === 0) return `Aucun salarié ${qualifier} ${verb.none}`;
  if (count === 1) return `Un seul salarié ${qualifier} ${verb.one}`;
  return `Seuls ${count} salariés ${qualifier} ${verb.many}`;
}

/** "le jeudi 10 décembre de 14 h à 17 h", or the window of possible starts. */
function when(problem: Problem, request: Request, k?: number): string {
  const base = problem.weekStartDay * MINUTES_PER_DAY;
  if (k !== undefined || request.starts.length === 1) {
    const start = request.starts[k ?? 0];
    return frenchSpan(base + start, base + start + request.duration);
  }
  const first = request.starts[0];
  const last = request.starts[request.starts.length - 1];
  return `${frenchSpan(base + first, base + last + request.duration)} (${frenchDuration(request.duration)} à placer dans ce créneau)`;
}

function dateOf(problem: Problem, start: number): string {
  return frenchDay(problem.weekStartDay + dayOf(start));
}

const skilledByProblem = new WeakMap<Problem, Map<string, { supervisors: Person[]; participants: Person[] }>>();

/**
 * The supervisors and the workers who have a skill, in the people's order,
 * listed once per problem: filtering everyone for each unassigned request
 * made explaining a city's week quadratic (6.5 s of 22 at 10,000 requests).
 */
function skilledPeople(problem: Problem, skill: string): { supervisors: Person[]; participants: Person[] } {
  let bySkill = skilledByProblem.get(problem);
  if (!bySkill) {
    bySkill = new Map();
    for (const person of problem.people) {
      for (const personSkill of person.skills) {
        if (!bySkill.has(personSkill)) bySkill.set(personSkill, { supervisors: [], participants: [] });
        bySkill.get(personSkill)![person.isSupervisor ? "supervisors" : "participants"].push(person);
      }
    }
    skilledByProblem.set(problem, bySkill);
  }
  return bySkill.get(skill) ?? { supervisors: [], participants: [] };
}

/** Why one request cannot be staffed at start k, even alone, or null if it can. */
function blockerAt(problem: Problem, request: Request, k: number): Blocker | null {
  const start = request.starts[k];
  const end = start + request.duration;
  const skill = request.skill;
  // The whole window when the request may start at several times: the rule
  // is found over all of them.
  const span = when(problem, request);
  const skilled = skilledPeople(problem, skill);

  // Supervisors, rule by rule.
  const supSkilled = skilled.supervisors;
  if (supSkilled.length === 0) {
    return { depth: 0, rule: "H3", reason: `Aucun encadrant n'a la compétence ${skill} : l'ajouter à un encadrant ou confier l'intervention à une autre équipe.` };
  }
  const supTeam = supSkilled.filter((p) => p.maxTeamSize >= request.need);
  if (supTeam.length === 0) {
    const largest = Math.max(...supSkilled.map((p) => p.maxTeamSize));
    return {
      depth: 1,
      rule: "H2",
      reason: `Aucun encadrant ayant la compétence ${skill} ne peut encadrer une équipe de ${salaries(request.need)} (au plus ${largest}) : réduire l'équipe ou scinder l'intervention.`,
    };
  }
  // Workers: skill, then contract.
  const wSkilled = skilled.participants;
  if (wSkilled.length < request.need) {
    return {
      depth: 2,
      rule: "H3",
      reason: `Il faut ${salaries(request.need)} ayant la compétence ${skill} ; ${wSkilled.length === 0 ? "aucun ne l'a" : wSkilled.length === 1 ? `un seul l'a (${names(wSkilled)})` : `seuls ${wSkilled.length} l'ont (${names(wSkilled)})`}.`,
    };
  }
  const wContract = wSkilled.filter((p) => isUnderContract(p, start));
  if (wContract.length < request.need) {
    return {
      depth: 3,
      rule: "H5",
      reason: `${onlyParticipants(wContract.length, `ayant la compétence ${skill}`, { none: "n'est sous contrat", one: "est sous contrat", many: "sont sous contrat" })} le ${dateOf(problem, start)} ; il en faut ${request.need}.`,
    };
  }
  // Availability (H4).
  const supFree = supTeam.filter((p) => isInWindow(p, start, end) && !isAbsent(p, start, end));
  if (supFree.length === 0) {
    const absent = supTeam.filter((p) => isInWindow(p, start, end) && isAbsent(p, start, end));
    const detail = absent.length ? ` (${names(absent)} absent·e·s)` : "";
    return { depth: 4, rule: "H4", reason: `Aucun encadrant ayant la compétence ${skill} n'est libre ${span}${detail}.` };
  }
  const wFree = wContract.filter((p) => isInWindow(p, start, end) && !isAbsent(p, start, end));
  if (wFree.length < request.need) {
    return {
      depth: 5,
      rule: "H4",
      reason: `${onlyParticipants(wFree.length, `ayant la compétence ${skill}`, { none: "n'est disponible", one: "est disponible", many: "sont disponibles" })} ${span} ; il en faut ${request.need}.`,
    };
  }
  // Weekly caps (H7).
  const supCap = supFree.filter((p) => p.capMinutes >= request.duration);
  if (supCap.length === 0) {
    return {
      depth: 6,
      rule: "H7",
      reason: `Les encadrants ayant la compétence ${skill} libres ${span} (${names(supFree)}) n'ont plus ${frenchDuration(request.duration)} disponibles sous leur plafond hebdomadaire.`,
    };
  }
  const wCap = wFree.filter((p) => p.capMinutes >= request.duration);
  if (wCap.length < request.need) {
    return {
      depth: 7,
      rule: "H7",
      reason: `Parmi les salariés ayant la compétence ${skill} libres ${span}, ${wCap.length === 0 ? "aucun n'a" : wCap.length === 1 ? "un seul a" : `seuls ${wCap.length} ont`} encore ${frenchDuration(request.duration)} sous leur plafond hebdomadaire (16 h au plus en DPH) ; il en faut ${request.need}.`,
    };
  }
  // Pins (H8).
  const pinnedSupervisor = request.pinnedSupervisor >= 0 ? problem.people[request.pinnedSupervisor] : null;
  if (pinnedSupervisor && !canServeAlone(pinnedSupervisor, request, start)) {
    return { depth: 8, rule: "H8", reason: `L'encadrant épinglé ${pinnedSupervisor.id} ${whyNot(problem, pinnedSupervisor, request, start)}.` };
  }
  for (const w of request.pinnedParticipants) {
    const participant = problem.people[w];
    if (!canServeAlone(participant, request, start)) {
      return { depth: 8, rule: "H8", reason: `Le salarié épinglé ${participant.id} ${whyNot(problem, participant, request, start)}.` };
    }
  }
  return null;
}

/** The rule-by-rule reason one person cannot take the request alone. */
function whyNot(problem: Problem, person: Person, request: Request, start: number): string {
  const end = start + request.duration;
  if (!person.skills.has(request.skill)) return `n'a pas la compétence ${request.skill}`;
  if (person.isSupervisor && person.maxTeamSize < request.need) {
    return `encadre au plus ${salaries(person.maxTeamSize)}, il en faut ${request.need}`;
  }
  if (!isUnderContract(person, start)) return `n'est pas sous contrat le ${dateOf(problem, start)}`;
  if (isAbsent(person, start, end)) return `est absent·e ${when(problem, request)}`;
  if (!isInWindow(person, start, end)) return `n'est pas disponible ${when(problem, request)}`;
  return `dépasserait son plafond hebdomadaire (${frenchHours(person.capMinutes / 60)} restantes)`;
}

/** Rule and French reason for a request the plan leaves unassigned. */
export function explainUnassigned(problem: Problem, state: PlanState, r: number): Explanation {
  const request = problem.requests[r];
  let deepest: Blocker | null = null;
  const feasibleStarts: number[] = [];
  request.starts.forEach((_, k) => {
    const blocker = blockerAt(problem, request, k);
    if (!blocker) feasibleStarts.push(k);
    else if (!deepest || blocker.depth > deepest.depth) deepest = blocker;
  });
  if (feasibleStarts.length === 0) {
    const found = deepest as Blocker | null;
    return found ?? { rule: "H4", reason: "Aucun créneau possible." };
  }
  return explainCapacity(problem, state, request, feasibleStarts);
}

/** The request fits the rules alone: say who is taken, and by what. */
function explainCapacity(problem: Problem, state: PlanState, request: Request, starts: number[]): Explanation {
  const r = request.index;
  const k = starts[0];
  const span = when(problem, request);
  const busyBy = (person: number, kk: number): string | null => {
    if (state.minutes[person] + request.duration > problem.people[person].capMinutes) return "plafond d'heures atteint";
    const q = state.clashWith(person, r, kk);
    return q >= 0 ? problem.requests[q].id : null;
  };

  if (request.pinned && (request.pinnedSupervisor >= 0 || request.pinnedParticipants.length > 0)) {
    const pinned = [request.pinnedSupervisor, ...request.pinnedParticipants].filter((p) => p >= 0);
    const taken = pinned
      .map((p) => ({ p, why: busyBy(p, k) }))
      .filter((x) => x.why !== null)
      .map((x) => `${problem.people[x.p].id} (${x.why})`);
    const detail = taken.length ? ` : ${frenchList(taken)}` : "";
    return {
      rule: "H8",
      reason: `Intervention épinglée impossible à tenir avec ses personnes épinglées ${span}${detail}. Libérer ces personnes ou modifier l'épinglage.`,
    };
  }

  const freeSupervisors = new Set<number>();
  const freeParticipants = new Set<number>();
  const blockers = new Set<string>();
  for (const kk of starts) {
    for (const s of problem.eligibleSupervisors[r][kk]) {
      const why = busyBy(s, kk);
      if (why === null) freeSupervisors.add(s);
      else if (why !== "plafond d'heures atteint") blockers.add(why);
    }
  }
  let bestParticipants = 0;
  for (const kk of starts) {
    let free = 0;
    for (const w of problem.eligibleParticipants[r][kk]) {
      const why = busyBy(w, kk);
      if (why === null) {
        free++;
        freeParticipants.add(w);
      } else if (why !== "plafond d'heures atteint") blockers.add(why);
    }
    bestParticipants = Math.max(bestParticipants, free);
  }
  const blockerList = [...blockers].sort();
  const shown = blockerList.length > MAX_NAMES ? `${blockerList.slice(0, MAX_NAMES).join(", ")}…` : frenchList(blockerList);
  const engaged = blockerList.length ? ` (déjà engagés sur ${shown})` : "";
  const action = "Décaler l'intervention, élargir son créneau ou renforcer l'équipe.";
  if (freeSupervisors.size === 0) {
    return {
      rule: "capacity",
      reason: `Les encadrants ayant la compétence ${request.skill} et libres ${span} sont tous pris par d'autres interventions${engaged} ou à leur plafond d'heures. ${action}`,
    };
  }
  if (bestParticipants < request.need) {
    return {
      rule: "capacity",
      reason:
        `Il faut ${salaries(request.need)} ayant la compétence ${request.skill} ${span} ; ` +
        (bestParticipants === 0
          ? "tous ceux qui sont disponibles sont déjà pris"
          : `${bestParticipants === 1 ? "un seul est encore libre" : `seuls ${bestParticipants} sont encore libres`}, les autres sont pris`) +
        ` par d'autres interventions${engaged} ou à leur plafond d'heures. ${action}`,
    };
  }
  return {
    rule: "capacity",
    reason: `Les personnes compétentes ${span} sont réparties sur des interventions qui servent davantage d'heures au total. ${action}`,
  };
}
