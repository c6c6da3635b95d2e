// The instance compiled to numbers: people and requests by index, times in
// minutes since Monday 00:00 of the week, the candidate starts of each request
// and who could staff each of them when considered alone. Every solver, the
// plan checker and the explanations share these primitives, so the rules are
// written once.
import { DEFAULT_SUPERVISOR_WEEKLY_MAX_HOURS, DEFAULT_TRAVEL_MINUTES, type Instance } from "./instance";
import { MINUTES_PER_DAY, START_GRID_MINUTES, parseClock, parseDate, parseDateTime } from "./time";

export interface Person {
  /** Index in Problem.people: workers first, then supervisors. */
  index: number;
  id: string;
  isSupervisor: boolean;
  skills: Set<string>;
  /** Minutes this person may still be given this week (H7). */
  capMinutes: number;
  /** Minutes still missing to reach the weekly target (workers; 0 for supervisors). */
  targetMinutes: number;
  maxTeamSize: number;
  /** Availability windows [from, to) in week minutes, per week day 0..6 (H4). */
  windowsByDay: Array<Array<[number, number]>>;
  /** Absences [from, to) in week minutes (H4). */
  absences: Array<[number, number]>;
  /** Contract days relative to the week's Monday (H5); supervisors are unbounded. */
  contractFirstDay: number;
  contractLastDay: number;
}

export interface Request {
  index: number;
  id: string;
  site: number;
  skill: string;
  duration: number;
  need: number;
  /** Served participant-minutes if assigned. */
  value: number;
  /** Candidate starts in week minutes, on the 15-minute grid from start. */
  starts: number[];
  pinned: boolean;
  pinnedSupervisor: number; // person index or -1
  pinnedParticipants: number[]; // person indices
}

export interface Problem {
  instance: Instance;
  /** Day number (days since 1970-01-01) of the week's Monday. */
  weekStartDay: number;
  siteIds: string[];
  travel: number[][];
  maxTravel: number;
  people: Person[];
  participantCount: number;
  requests: Request[];
  /** eligibleSupervisors[r][k]: supervisors who could lead request r at start k, alone (H2-H5, H7, H8); ascending (see isEligible). */
  eligibleSupervisors: number[][][];
  /** eligibleParticipants[r][k]: workers who could join request r at start k, alone (H3-H5, H7); ascending. */
  eligibleParticipants: number[][][];
}

const NO_LIMIT = 1e9;

/** Compiles a parsed instance (see parseInstance) into indexed numeric form. */
export function compileProblem(instance: Instance): Problem {
  const weekStartDay = parseDate(instance.weekStart)!;
  const weekStartMinute = weekStartDay * MINUTES_PER_DAY;
  const toWeekMinutes = (text: string) => parseDateTime(text)! - weekStartMinute;

  const siteIds = instance.sites.map((s) => s.id);
  const siteIndex = new Map(siteIds.map((siteId, i) => [siteId, i]));
  const travel: number[][] = siteIds.map((_, i) => siteIds.map((__, j) => (i === j ? 0 : DEFAULT_TRAVEL_MINUTES)));
  for (const site of instance.sites) {
    const i = siteIndex.get(site.id)!;
    for (const [other, minutes] of Object.entries(site.travelMinutes)) {
      const j = siteIndex.get(other)!;
      if (i === j) continue;
      travel[i][j] = minutes;
      travel[j][i] = minutes;
    }
  }
  let maxTravel = 0;
  for (const row of travel) for (const t of row) maxTravel = Math.max(maxTravel, t);

  const windowsOf = (availability: { day: number; from: string; to: string }[]) => {
    const byDay: Array<Array<[number, number]>> = [[], [], [], [], [], [], []];
    for (const slot of availability) {
      const base = (slot.day - 1) * MINUTES_PER_DAY;
      byDay[slot.day - 1].push([base + parseClock(slot.from)!, base + parseClock(slot.to)!]);
    }
    return byDay;
  };
  const absencesOf = (absences: { from: string; to: string }[]) => absences.map((a): [number, number] => [toWeekMinutes(a.from), toWeekMinutes(a.to)]);

  const people: Person[] = [];
  for (const participant of instance.participants) {
    const already = Math.round(participant.hoursAlreadyPlanned * 60);
    people.push({
      index: people.length,
      id: participant.id,
      isSupervisor: false,
      skills: new Set(participant.skills),
      capMinutes: Math.round(participant.weeklyMaxHours * 60) - already,
      targetMinutes: Math.max(0, Math.round(participant.weeklyTargetHours * 60) - already),
      maxTeamSize: 0,
      windowsByDay: windowsOf(participant.availability),
      absences: absencesOf(participant.absences),
      contractFirstDay: parseDate(participant.contractStart)! - weekStartDay,
      contractLastDay: parseDate(participant.contractEnd)! - weekStartDay,
    });
  }
  const participantCount = people.length;
  for (const supervisor of instance.supervisors) {
    people.push({
      index: people.length,
      id: supervisor.id,
      isSupervisor: true,
      skills: new Set(supervisor.skills),
      capMinutes: Math.round((supervisor.weeklyMaxHours ?? DEFAULT_SUPERVISOR_WEEKLY_MAX_HOURS) * 60),
      targetMinutes: 0,
      maxTeamSize: supervisor.maxTeamSize,
      windowsByDay: windowsOf(supervisor.availability),
      absences: absencesOf(supervisor.absences),
      contractFirstDay: -NO_LIMIT,
      contractLastDay: NO_LIMIT,
    });
  }
  const personIndex = new Map(people.map((p) => [p.id, p.index]));

  const requests: Request[] = instance.requests.map((request, index) => {
    const first = toWeekMinutes(request.start);
    const last = request.latestStart === undefined ? first : toWeekMinutes(request.latestStart);
    const starts: number[] = [];
    for (let s = first; s <= last; s += START_GRID_MINUTES) starts.push(s);
    return {
      index,
      id: request.id,
      site: siteIndex.get(request.siteId)!,
      skill: request.skill,
      duration: request.durationMinutes,
      need: request.participantsNeeded,
      value: request.durationMinutes * request.participantsNeeded,
      starts,
      pinned: request.pinned !== undefined,
      pinnedSupervisor: request.pinned?.supervisorId === undefined ? -1 : personIndex.get(request.pinned.supervisorId)!,
      pinnedParticipants: (request.pinned?.participantIds ?? []).map((participantId) => personIndex.get(participantId)!),
    };
  });

  const problem: Problem = {
    instance,
    weekStartDay,
    siteIds,
    travel,
    maxTravel,
    people,
    participantCount,
    requests,
    eligibleSupervisors: [],
    eligibleParticipants: [],
  };

  // Index people by skill and by the week days they have a window on (H4 needs one), so eligibility
  // does not scan everyone: on a big week most people with a skill are not there on a given day.
  const bySkillAndDay = new Map<string, Person[][]>();
  for (const person of people) {
    for (const skill of person.skills) {
      if (!bySkillAndDay.has(skill)) bySkillAndDay.set(skill, [[], [], [], [], [], [], []]);
      const days = bySkillAndDay.get(skill)!;
      for (let day = 0; day < 7; day++) if (person.windowsByDay[day].length > 0) days[day].push(person);
    }
  }
  const nobody: Person[] = [];
  for (const request of requests) {
    const candidatesByDay = bySkillAndDay.get(request.skill);
    const supervisorsByStart: number[][] = [];
    const participantsByStart: number[][] = [];
    for (const start of request.starts) {
      const supervisors: number[] = [];
      const participants: number[] = [];
      const day = dayOf(start);
      const candidates = candidatesByDay && day >= 0 && day <= 6 ? candidatesByDay[day] : nobody;
      for (const person of candidates) {
        if (!canServeAlone(person, request, start)) continue;
        if (person.isSupervisor) {
          if (request.pinnedSupervisor === -1 || request.pinnedSupervisor === person.index) supervisors.push(person.index);
        } else {
          participants.push(person.index);
        }
      }
      supervisorsByStart.push(supervisors);
      participantsByStart.push(participants);
    }
    problem.eligibleSupervisors.push(supervisorsByStart);
    problem.eligibleParticipants.push(participantsByStart);
  }
  return problem;
}

/**
 * Is person p in an eligibility list (eligibleParticipants[r][k] or
 * eligibleSupervisors[r][k])? The lists are ascending (built in person
 * order), so a binary search: the search asks this in its inner loops.
 */
export function isEligible(list: readonly number[], p: number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const value = list[mid];
    if (value === p) return true;
    if (value < p) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** A local copy: dayOf is in the search's innermost loops, where reading an import costs (a getter once compiled to CommonJS). */
const DAY = MINUTES_PER_DAY;

/** Week day 0..6 (Monday = 0) of a week minute. */
export function dayOf(weekMinute: number): number {
  return Math.floor(weekMinute / DAY);
}

/** H4: inside one availability window of that weekday and overlapping no absence. */
export function isAvailable(person: Person, start: number, end: number): boolean {
  const day = dayOf(start);
  if (day < 0 || day > 6) return false;
  let inWindow = false;
  for (const [from, to] of person.windowsByDay[day]) {
    if (from <= start && end <= to) {
      inWindow = true;
      break;
    }
  }
  return inWindow && !isAbsent(person, start, end);
}

export function isInWindow(person: Person, start: number, end: number): boolean {
  const day = dayOf(start);
  if (day < 0 || day > 6) return false;
  return person.windowsByDay[day].some(([from, to]) => from <= start && end <= to);
}

export function isAbsent(person: Person, start: number, end: number): boolean {
  return person.absences.some(([from, to]) => from < end && start < to);
}

/** H5: the request's date (the day of its start) lies within the contract. */
export function isUnderContract(person: Person, start: number): boolean {
  const day = dayOf(start);
  return day >= person.contractFirstDay && day <= person.contractLastDay;
}

/**
 * Could this person take this request at this start if nothing else were
 * planned? Checks skill (H3), team size (H2), availability (H4), contract (H5)
 * and the weekly cap (H7).
 */
export function canServeAlone(person: Person, request: Request, start: number): boolean {
  if (!person.skills.has(request.skill)) return false;
  if (person.isSupervisor && person.maxTeamSize < request.need) return false;
  if (request.duration > person.capMinutes) return false;
  if (!isUnderContract(person, start)) return false;
  return isAvailable(person, start, start + request.duration);
}

/**
 * H6: two interventions of the same person conflict when the later one starts
 * before the earlier one ends plus the travel between their sites. Equal
 * starts always conflict.
 */
export function conflicts(problem: Problem, siteA: number, startA: number, endA: number, siteB: number, startB: number, endB: number): boolean {
  if (startA <= startB) return endA + problem.travel[siteA][siteB] > startB;
  return endB + problem.travel[siteB][siteA] > startA;
}

/** Could request r be staffed at start k if nothing else were planned (people and pins eligible)? */
export function startIsPossible(problem: Problem, r: number, k: number): boolean {
  const request = problem.requests[r];
  const participants = problem.eligibleParticipants[r][k];
  return problem.eligibleSupervisors[r][k].length > 0 && participants.length >= request.need && request.pinnedParticipants.every((w) => isEligible(participants, w));
}

/**
 * An upper bound on served participant-minutes that needs no solver: every request
 * that could be staffed at all, served, but never more minutes than the
 * workers may still give this week (their caps), nor more interventions'
 * minutes than the supervisors may lead. Weak, but always true.
 */
export function capacityBound(problem: Problem): number {
  let staffable = 0;
  let maxNeedPerMinute = 0;
  for (const request of problem.requests) {
    if (!request.starts.some((_, k) => startIsPossible(problem, request.index, k))) continue;
    staffable += request.value;
    maxNeedPerMinute = Math.max(maxNeedPerMinute, request.need);
  }
  let participantMinutes = 0;
  let supervisorMinutes = 0;
  for (const person of problem.people) {
    const minutes = Math.max(0, Math.min(person.capMinutes, availableMinutes(person)));
    if (person.isSupervisor) supervisorMinutes += minutes;
    else participantMinutes += minutes;
  }
  return Math.min(staffable, participantMinutes, supervisorMinutes * maxNeedPerMinute);
}

function availableMinutes(person: Person): number {
  return person.windowsByDay.reduce((sum, windows) => sum + windows.reduce((day, [from, to]) => day + Math.max(0, to - from), 0), 0);
}
