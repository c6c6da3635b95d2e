// An independent checker of scheduling plans, written from CONTRACT.md alone.
// It deliberately imports nothing from app/domain/scheduling (not even the
// time helpers), so a bug shared by the engine and its own rule checker does
// not go unnoticed. It is simple and quadratic on purpose.

type Slot = { day: number; from: string; to: string };
type Span = { from: string; to: string };

export interface ValidatorInstance {
  weekStart: string;
  sites: Array<{ id: string; travelMinutes: Record<string, number> }>;
  participants: Array<{
    id: string;
    skills: string[];
    weeklyTargetHours: number;
    weeklyMaxHours: number;
    hoursAlreadyPlanned: number;
    contractStart: string;
    contractEnd: string;
    availability: Slot[];
    absences: Span[];
  }>;
  supervisors: Array<{
    id: string;
    skills: string[];
    maxTeamSize: number;
    weeklyMaxHours?: number;
    availability: Slot[];
    absences: Span[];
  }>;
  requests: Array<{
    id: string;
    siteId: string;
    skill: string;
    start: string;
    durationMinutes: number;
    participantsNeeded: number;
    latestStart?: string;
    pinned?: { supervisorId?: string; participantIds?: string[] };
  }>;
}

export interface ValidatorPlan {
  assignments: Array<{ requestId: string; start: string; supervisorId: string; participantIds: string[] }>;
  unassigned: Array<{ requestId: string; rule: string; reason: string }>;
}

export interface Validation {
  /** "H6: ..." style messages; empty when the plan is valid. */
  violations: string[];
  objective: { pinnedKept: number; servedParticipantMinutes: number; shortfall: number; travel: number };
}

/** Minutes since 1970-01-01T00:00 of a wall-clock "YYYY-MM-DDTHH:MM", read as UTC (no DST). */
function minutesOf(dateTime: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(dateTime);
  if (!match) throw new Error(`bad date-time ${dateTime}`);
  const [, y, mo, d, h, mi] = match.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi) / 60_000;
}
function dayOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
}
function clock(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

export function validatePlan(instance: ValidatorInstance, plan: ValidatorPlan): Validation {
  const violations: string[] = [];
  const v = (rule: string, text: string) => violations.push(`${rule}: ${text}`);

  const requests = new Map(instance.requests.map((r) => [r.id, r]));
  const participants = new Map(instance.participants.map((w) => [w.id, w]));
  const supervisors = new Map(instance.supervisors.map((s) => [s.id, s]));
  const travel = (a: string, b: string): number => {
    if (a === b) return 0;
    const ab = instance.sites.find((s) => s.id === a)?.travelMinutes[b];
    const ba = instance.sites.find((s) => s.id === b)?.travelMinutes[a];
    return ab ?? ba ?? 60;
  };

  // H1
  const count = new Map<string, number>();
  for (const e of [...plan.assignments, ...plan.unassigned]) count.set(e.requestId, (count.get(e.requestId) ?? 0) + 1);
  for (const id of count.keys()) if (!requests.has(id)) v("H1", `unknown request ${id}`);
  for (const r of instance.requests) if (count.get(r.id) !== 1) v("H1", `${r.id} appears ${count.get(r.id) ?? 0} times`);
  const allowedRules = ["H2", "H3", "H4", "H5", "H6", "H7", "H8", "capacity"];
  for (const u of plan.unassigned) {
    if (!allowedRules.includes(u.rule)) v("H1", `${u.requestId} unassigned with rule ${u.rule}`);
    if (typeof u.reason !== "string" || u.reason.trim() === "") v("H1", `${u.requestId} unassigned without a reason`);
  }

  type Item = { requestId: string; site: string; start: number; end: number };
  const agenda = new Map<string, Item[]>();
  const assignedMinutes = new Map<string, number>();
  const available = (slots: Slot[], absences: Span[], start: number, end: number): boolean => {
    const dayNumber = Math.floor(start / 1440);
    const isoDay = ((dayNumber + 3) % 7) + 1; // 1970-01-01 was a Thursday
    const midnight = dayNumber * 1440;
    const inside = slots.some((s) => s.day === isoDay && midnight + clock(s.from) <= start && end <= midnight + clock(s.to));
    const absent = absences.some((a) => minutesOf(a.from) < end && start < minutesOf(a.to));
    return inside && !absent;
  };

  let pinnedKept = 0;
  let servedParticipantMinutes = 0;
  for (const a of plan.assignments) {
    const r = requests.get(a.requestId);
    if (!r) continue;
    const start = minutesOf(a.start);
    const end = start + r.durationMinutes;
    const first = minutesOf(r.start);
    const last = r.latestStart ? minutesOf(r.latestStart) : first;
    if (start < first || start > last || (start - first) % 15 !== 0) v("START", `${r.id} starts at ${a.start}`);

    // H2
    const supervisor = supervisors.get(a.supervisorId);
    if (!supervisor) v("H2", `${r.id}: ${a.supervisorId} is not a supervisor`);
    if (new Set(a.participantIds).size !== a.participantIds.length) v("H2", `${r.id}: duplicate workers`);
    if (a.participantIds.length !== r.participantsNeeded) v("H2", `${r.id}: ${a.participantIds.length} workers for ${r.participantsNeeded}`);
    if (supervisor && supervisor.maxTeamSize < r.participantsNeeded) v("H2", `${r.id}: team too big for ${supervisor.id}`);

    const people: Array<{ id: string; skills: string[]; availability: Slot[]; absences: Span[] }> = [];
    if (supervisor) people.push(supervisor);
    for (const id of a.participantIds) {
      const w = participants.get(id);
      if (!w) v("H2", `${r.id}: ${id} is not a worker`);
      else {
        people.push(w);
        // H5: the request's date within the contract.
        const date = Math.floor(start / 1440);
        if (date < dayOf(w.contractStart) || date > dayOf(w.contractEnd)) v("H5", `${r.id}: ${w.id} out of contract`);
      }
    }
    for (const p of people) {
      if (!p.skills.includes(r.skill)) v("H3", `${r.id}: ${p.id} lacks ${r.skill}`);
      if (!available(p.availability, p.absences, start, end)) v("H4", `${r.id}: ${p.id} not available`);
      if (!agenda.has(p.id)) agenda.set(p.id, []);
      agenda.get(p.id)!.push({ requestId: r.id, site: r.siteId, start, end });
      assignedMinutes.set(p.id, (assignedMinutes.get(p.id) ?? 0) + r.durationMinutes);
    }

    // H8
    if (r.pinned?.supervisorId && r.pinned.supervisorId !== a.supervisorId) v("H8", `${r.id}: pinned supervisor missing`);
    for (const id of r.pinned?.participantIds ?? []) if (!a.participantIds.includes(id)) v("H8", `${r.id}: pinned worker ${id} missing`);

    if (r.pinned) pinnedKept++;
    servedParticipantMinutes += r.participantsNeeded * r.durationMinutes;
  }

  // H6: every pair of one person's interventions, in both orders.
  for (const [id, items] of agenda) {
    for (const a of items) {
      for (const b of items) {
        if (a === b) continue;
        if (a.start <= b.start && a.end + travel(a.site, b.site) > b.start) v("H6", `${id}: ${a.requestId} then ${b.requestId}`);
      }
    }
  }

  // H7
  for (const w of instance.participants) {
    const minutes = assignedMinutes.get(w.id) ?? 0;
    if (w.hoursAlreadyPlanned * 60 + minutes > w.weeklyMaxHours * 60 + 1e-9) v("H7", `${w.id}: over weekly max`);
  }
  for (const s of instance.supervisors) {
    const minutes = assignedMinutes.get(s.id) ?? 0;
    if (minutes > (s.weeklyMaxHours ?? 35) * 60 + 1e-9) v("H7", `${s.id}: over weekly max`);
  }

  // Objective levels 3 and 4.
  let shortfall = 0;
  for (const w of instance.participants) {
    shortfall += Math.max(0, 60 * w.weeklyTargetHours - 60 * w.hoursAlreadyPlanned - (assignedMinutes.get(w.id) ?? 0));
  }
  let travelMinutes = 0;
  for (const items of agenda.values()) {
    const sorted = [...items].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      if (Math.floor(sorted[i - 1].start / 1440) === Math.floor(sorted[i].start / 1440)) {
        travelMinutes += travel(sorted[i - 1].site, sorted[i].site);
      }
    }
  }
  return { violations, objective: { pinnedKept, servedParticipantMinutes, shortfall: Math.round(shortfall), travel: travelMinutes } };
}

/** The plan the database holds for a week: its scheduled interventions as written, the rest unassigned (for validatePlan). */
export function writtenPlan(instance: ValidatorInstance, scheduled: Array<{ id: string; supervisorId: string | null; assignments: Array<{ participantId: string }> }>): ValidatorPlan {
  return {
    assignments: scheduled.map((i) => ({
      requestId: i.id,
      start: instance.requests.find((r) => r.id === i.id)!.start,
      supervisorId: i.supervisorId!,
      participantIds: i.assignments.map((a) => a.participantId),
    })),
    unassigned: instance.requests.filter((r) => !scheduled.some((s) => s.id === r.id)).map((r) => ({ requestId: r.id, rule: "capacity", reason: "-" })),
  };
}
