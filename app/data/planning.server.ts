import { DPH_MAX_MINUTES, weeklyCeilingMinutes } from "~/domain/dph.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { attendanceState, hoursDifferFromPlan } from "~/domain/planning/attendance.ts";
import { checkChange, humanise, ruleIds, type Staffing, type TeamChange } from "~/domain/planning/steering.ts";
import { matchesBoardFilters, type BoardFilters } from "~/domain/planning/board.ts";
import { byAvailability, CANDIDATE_LABELS, candidateStatus } from "~/domain/planning/candidates.ts";
import type { Instance, InstanceParticipant } from "~/domain/scheduling/instance.ts";
import { addDays, fromParisLocal, parisWeekStart, toParisDate, toParisLocal } from "~/utils/paris-time.ts";
import { formatDateTime } from "~/utils/format.ts";
import { audit } from "./audit.server.ts";
import { db, readAll, type Tx } from "./db.server.ts";
import { addToOutbox } from "./outbox.server.ts";
import { loadWeekInstance, lockWeek } from "./scheduling.server.ts";
import { getServiceRules } from "./settings.server.ts";
import { LIVE, PLANNABLE } from "~/domain/requests/status.ts";

// The coordinator's planning board: the week per encadrant, the optimisation
// runs, and steering one intervention by hand under the engine's rules.

export const STEERABLE = PLANNABLE;

const weekBounds = (weekStart: string) => ({ from: fromParisLocal(`${weekStart}T00:00`), to: fromParisLocal(`${addDays(weekStart, 7)}T00:00`) });
const participantName = (w: { firstName: string; lastInitial: string }) => `${w.firstName} ${w.lastInitial}.`;
const supervisorName = (s: { firstName: string; lastName: string }) => `${s.firstName} ${s.lastName}`;

/**
 * The week's interventions with their teams, the encadrants, and each worker's
 * hours actually recorded; only those the filters keep (the week's hours are
 * counted over all of them), with the choices the filters offer.
 */
export async function weekBoard(weekStart: string, filters: BoardFilters = {}) {
  const { from, to } = weekBounds(weekStart);
  const [interventions, supervisors, runs, participants, { fieldHours }, sites, prestations, skills] = await Promise.all([
    db().intervention.findMany({
      where: { startsAt: { gte: from, lt: to }, status: { in: [...LIVE] } },
      orderBy: [{ startsAt: "asc" }, { id: "asc" }],
      select: {
        id: true,
        startsAt: true,
        endsAt: true,
        durationMinutes: true,
        participantsNeeded: true,
        status: true,
        supervisorId: true,
        supervisorPinned: true,
        unstaffedRule: true,
        unstaffedReason: true,
        siteId: true,
        site: { select: { name: true, address: true, postalCode: true, city: true } },
        serviceRequest: { select: { reference: true, prestationId: true, prestation: { select: { name: true } } } },
        assignments: { select: { participantId: true, pinned: true, participant: { select: { firstName: true, lastInitial: true, weeklyMaxMinutes: true } } }, orderBy: { participantId: "asc" } },
        timeEntries: { select: { participantId: true, minutesWorked: true, absent: true, checkInAt: true, checkOutAt: true, correctionReason: true } },
      },
    }),
    db().supervisor.findMany({ where: { active: true }, orderBy: [{ firstName: "asc" }, { lastName: "asc" }], select: { id: true, firstName: true, lastName: true } }),
    db().planningRun.findMany({ where: { weekStart: new Date(`${weekStart}T00:00:00Z`) }, orderBy: { startedAt: "desc" }, take: 1 }),
    db().participant.findMany({ where: { anonymisedAt: null, contractEnd: { gte: from } }, select: { id: true, firstName: true, lastInitial: true } }),
    getServiceRules(),
    db().site.findMany({ where: { archivedAt: null }, orderBy: [{ name: "asc" }, { id: "asc" }], select: { id: true, name: true, organisation: { select: { name: true } } } }),
    db().prestation.findMany({ orderBy: [{ name: "asc" }], select: { id: true, name: true } }),
    skillLabels(db()),
  ]);
  // The engine's reasons name people and interventions by id, skills by code.
  const names = new Map<string, string>([
    ...participants.map((w) => [w.id, participantName(w)] as [string, string]),
    ...supervisors.map((s) => [s.id, supervisorName(s)] as [string, string]),
    ...interventions.map((i) => [i.id, `l'intervention ${i.site.name} du ${formatDateTime(i.startsAt)}`] as [string, string]),
  ]);
  // Hours actually worked this week per person: past the DPH cap is an alert for the coordinator.
  const worked = new Map<string, number>();
  for (const i of interventions) for (const t of i.timeEntries) worked.set(t.participantId, (worked.get(t.participantId) ?? 0) + t.minutesWorked);
  const maxOf = new Map(interventions.flatMap((i) => i.assignments.map((a) => [a.participantId, a.participant.weeklyMaxMinutes] as const)));
  const overParticipants = new Set([...worked].filter(([id, minutes]) => minutes > weeklyCeilingMinutes(maxOf.get(id) ?? DPH_MAX_MINUTES)).map(([id]) => id));
  return {
    supervisors: supervisors.filter((s) => !filters.encadrant || s.id === filters.encadrant).map((s) => ({ id: s.id, name: supervisorName(s) })),
    options: {
      supervisors: supervisors.map((s) => ({ id: s.id, name: supervisorName(s) })),
      sites: sites.map((s) => ({ id: s.id, name: `${s.name} (${s.organisation.name})` })),
      prestations,
    },
    total: interventions.length,
    lastRun: runs[0] ?? null,
    interventions: interventions
      .filter((i) => matchesBoardFilters({ ...i, prestationId: i.serviceRequest.prestationId }, filters))
      .map(({ assignments, timeEntries, serviceRequest, site, ...i }) => {
        const recorded = timeEntries.reduce((s, t) => s + t.minutesWorked, 0);
        return {
          ...i,
          unstaffedReason: i.unstaffedReason ? humanise(i.unstaffedReason, names, skills) : null,
          site: site.name,
          address: `${site.address}, ${site.postalCode} ${site.city}`,
          prestation: serviceRequest.prestation.name,
          reference: serviceRequest.reference,
          team: assignments.map((a) => ({ id: a.participantId, name: participantName(a.participant), pinned: a.pinned, overLimit: overParticipants.has(a.participantId) })),
          // A person's final hours far from the plan: payroll keeps the true figure, the coordinator looks.
          overtime: timeEntries.some((t) => attendanceState(t) === "left" && hoursDifferFromPlan(t.minutesWorked, i.durationMinutes, fieldHours)),
          recordedMinutes: recorded,
        };
      }),
  };
}

/** A coordinator's "optimise this week": the run row and its job, in one transaction (outbox). */
export async function requestOptimisation(actor: Actor, weekStart: string) {
  return db().$transaction(async (tx) => {
    const run = await tx.planningRun.create({ data: { weekStart: new Date(`${weekStart}T00:00:00Z`), trigger: "coordinator", status: "running" } });
    await addToOutbox(tx, "scheduling", "optimise-week", `optimise:${run.id}`, { weekStart, runId: run.id });
    await audit(
      { action: "planning.optimise_requested", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "PlanningRun", entityId: run.id, details: { weekStart } },
      tx,
    );
    return run.id;
  });
}

export async function getPlanningRun(id: string) {
  return db().planningRun.findUnique({ where: { id }, select: { id: true, weekStart: true, status: true, stats: true, startedAt: true, finishedAt: true } });
}

// ---------------------------------------------------------------------------------------------
// Steering one intervention
// ---------------------------------------------------------------------------------------------

async function staffingOf(tx: Tx, instance: Instance): Promise<Staffing[]> {
  const rows = await tx.intervention.findMany({
    where: { id: { in: instance.requests.map((r) => r.id) } },
    select: { id: true, supervisorId: true, assignments: { select: { participantId: true }, orderBy: { participantId: "asc" } } },
  });
  return rows.map((r) => ({ interventionId: r.id, supervisorId: r.supervisorId, participantIds: r.assignments.map((a) => a.participantId) }));
}

/** The catalogue's label of each skill code, for the engine's reasons. */
async function skillLabels(client: Pick<Tx, "skill">) {
  const skills = await client.skill.findMany({ select: { code: true, label: true } });
  return new Map(skills.map((s) => [s.code, s.label]));
}

/** Names for the engine's ids: people by name, interventions by site and time. */
async function namesFor(tx: Tx, instance: Instance) {
  const [participants, supervisors, interventions] = await readAll(
    tx,
    () => tx.participant.findMany({ where: { id: { in: instance.participants.map((w) => w.id) } }, select: { id: true, firstName: true, lastInitial: true } }),
    () => tx.supervisor.findMany({ where: { id: { in: instance.supervisors.map((s) => s.id) } }, select: { id: true, firstName: true, lastName: true } }),
    () => tx.intervention.findMany({ where: { id: { in: instance.requests.map((r) => r.id) } }, select: { id: true, startsAt: true, site: { select: { name: true } } } }),
  );
  return new Map<string, string>([
    ...participants.map((w) => [w.id, participantName(w)] as [string, string]),
    ...supervisors.map((s) => [s.id, supervisorName(s)] as [string, string]),
    ...interventions.map((i) => [i.id, `l'intervention ${i.site.name} du ${formatDateTime(i.startsAt)}`] as [string, string]),
  ]);
}

/** One intervention, its team and who could be put on it (the people of the week's instance). */
export async function steeringContext(interventionId: string) {
  const intervention = await db().intervention.findUnique({
    where: { id: interventionId },
    select: {
      id: true,
      startsAt: true,
      endsAt: true,
      durationMinutes: true,
      participantsNeeded: true,
      status: true,
      supervisorId: true,
      supervisorPinned: true,
      unstaffedRule: true,
      unstaffedReason: true,
      site: { select: { name: true, address: true, postalCode: true, city: true } },
      serviceRequest: { select: { reference: true, prestation: { select: { name: true, skill: { select: { code: true, label: true } } } } } },
      assignments: { select: { participantId: true, pinned: true }, orderBy: { participantId: "asc" } },
      requestId: true,
    },
  });
  if (!intervention) return null;
  const weekStart = parisWeekStart(intervention.startsAt);
  const instance = await loadWeekInstance(weekStart, { kind: "keep-staffed", free: [interventionId] });
  const [names, staffing, skills] = await Promise.all([namesFor(db(), instance), staffingOf(db(), instance), skillLabels(db())]);
  const skill = intervention.serviceRequest.prestation.skill.code;
  // Each person's status at this time (available, absent, new without availability...), the available first.
  const slot = { start: toParisLocal(intervention.startsAt), durationMinutes: intervention.durationMinutes };
  const slotOf = new Map(instance.requests.map((r) => [r.id, r]));
  const elsewhere = (personId: string) =>
    staffing.filter((s) => s.interventionId !== interventionId && (s.supervisorId === personId || s.participantIds.includes(personId))).flatMap((s) => slotOf.get(s.interventionId) ?? []);
  const person = (p: { id: string; skills: string[]; availability: InstanceParticipant["availability"]; absences: InstanceParticipant["absences"] }) => {
    const status = candidateStatus(p, slot, elsewhere(p.id));
    return { id: p.id, name: names.get(p.id) ?? p.id, skilled: p.skills.includes(skill), status, statusLabel: CANDIDATE_LABELS[status] };
  };
  const order = (a: ReturnType<typeof person>, b: ReturnType<typeof person>) => Number(b.skilled) - Number(a.skilled) || byAvailability(a, b);
  return {
    // The engine's reason, in names and labels.
    intervention: { ...intervention, unstaffedReason: intervention.unstaffedReason ? humanise(intervention.unstaffedReason, names, skills) : null },
    weekStart,
    current: { date: toParisDate(intervention.startsAt), startTime: toParisLocal(intervention.startsAt).slice(11) },
    supervisors: instance.supervisors.map(person).sort(order),
    participants: instance.participants.map(person).sort(order),
  };
}

export type ChangeCheck = { violations: { rule: string; message: string }[]; message?: string };

const UNKNOWN_PEOPLE = "Cet encadrant ou une des personnes choisies n'existe plus : rechargez la page et recommencez.";

/** Ids come from the form: one that names nobody is refused with a message, not by a foreign key (a 500) nor as "no rule broken". */
async function unknownPeople(client: Pick<Tx, "supervisor" | "participant">, change: TeamChange): Promise<string | null> {
  const known = await client.supervisor.count({ where: { id: change.supervisorId } });
  const participants = await client.participant.count({ where: { id: { in: change.participantIds } } });
  return !known || participants !== change.participantIds.length ? UNKNOWN_PEOPLE : null;
}

/**
 * The hard rules a change would break, in French. The week read is the one the
 * intervention would be in: moved to another week, it is checked among that
 * week's interventions and people.
 */
export async function violationsOf(tx: Tx, weekStart: string, change: TeamChange) {
  const free = { kind: "keep-staffed" as const, free: [change.interventionId] };
  const week = await loadWeekInstance(weekStart, free, tx);
  // Checked against the team asked, not the room a plan makes for people pinned beyond it.
  const asked = await tx.intervention.findUnique({ where: { id: change.interventionId }, select: { participantsNeeded: true } });
  let requests = week.requests.map((r) => (r.id === change.interventionId && asked ? { ...r, participantsNeeded: asked.participantsNeeded } : r));
  let people = week;
  const targetWeek = change.start ? parisWeekStart(fromParisLocal(change.start)) : weekStart;
  if (targetWeek !== weekStart) {
    const moved = requests.find((r) => r.id === change.interventionId);
    people = await loadWeekInstance(targetWeek, free, tx);
    requests = [...people.requests.filter((r) => r.id !== change.interventionId), ...(moved ? [{ ...moved, start: change.start! }] : [])];
  }
  const instance = { ...people, requests };
  const staffing = await staffingOf(tx, instance);
  const names = await namesFor(tx, instance);
  const skills = await skillLabels(tx);
  const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
  return checkChange(instance, staffing, change).map((v) => ({ rule: v.rule, message: sentence(humanise(v.message, names, skills)) }));
}

/** The hard rules the change would break, in French; nothing is written. */
export async function previewChange(weekStart: string, change: TeamChange): Promise<ChangeCheck> {
  const unknown = await unknownPeople(db(), change);
  if (unknown) return { violations: [], message: unknown };
  return { violations: await violationsOf(db(), weekStart, change) };
}

export const DOUBLE_BOOKED =
  "La base de données refuse cette équipe : une des personnes est déjà engagée sur une autre intervention au même moment. Même en forçant, personne ne peut être à deux endroits à la fois.";

export type SaveResult = { ok: true; forced: string[] } | { ok: false; violations: { rule: string; message: string }[]; message?: string };

export const isDoubleBooking = (error: unknown) =>
  /no_overlap|conflicting key|23P01|exclusion/i.test(error instanceof Error ? `${error.message} ${String((error as { code?: unknown }).code ?? "")}` : String(error));

/**
 * Writes the new team of an intervention, under the week's lock, after checking
 * the hard rules again on what is in the database now. A change that breaks a
 * rule is refused unless forced with a reason, and the forcing is audited.
 */
export async function saveChange(actor: Actor, weekStart: string, change: TeamChange, force: { reason: string } | null): Promise<SaveResult> {
  try {
    return await db().$transaction(
      async (tx) => {
        await lockWeek(tx, weekStart);
        const current = await tx.intervention.findUnique({ where: { id: change.interventionId }, select: { status: true, startsAt: true, endsAt: true } });
        if (!current || !(STEERABLE as readonly string[]).includes(current.status)) {
          return { ok: false as const, violations: [], message: "Cette intervention n'est plus modifiable (commencée, terminée ou annulée)." };
        }
        const unknown = await unknownPeople(tx, change);
        if (unknown) return { ok: false as const, violations: [], message: unknown };
        const violations = await violationsOf(tx, weekStart, change);
        if (violations.length > 0 && !force) return { ok: false as const, violations };
        // A team forced past a rule is pinned whole: the next optimisation would otherwise undo it silently.
        const forced = violations.length > 0;
        await tx.assignment.deleteMany({ where: { interventionId: change.interventionId } });
        await tx.intervention.update({
          where: { id: change.interventionId },
          data: { supervisorId: change.supervisorId, supervisorPinned: forced || change.supervisorPinned, status: "SCHEDULED", unstaffedRule: null, unstaffedReason: null },
        });
        // The intervention's own times: the database refuses a person booked twice at once on them.
        await tx.assignment.createMany({
          data: change.participantIds.map((participantId) => ({
            interventionId: change.interventionId,
            participantId,
            startsAt: current.startsAt,
            endsAt: current.endsAt,
            pinned: forced || change.pinnedParticipantIds.includes(participantId),
          })),
        });
        const rules = ruleIds(violations);
        const base = { actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Intervention", entityId: change.interventionId };
        await audit(
          {
            ...base,
            action: "planning.changed",
            outcome: "ok",
            details: { supervisorId: change.supervisorId, participantIds: change.participantIds, supervisorPinned: change.supervisorPinned, pinnedParticipantIds: change.pinnedParticipantIds },
          },
          tx,
        );
        if (violations.length > 0 && force) await audit({ ...base, action: "planning.forced", outcome: "ok", details: { rules, reason: force.reason } }, tx);
        return { ok: true as const, forced: violations.length > 0 ? rules : [] };
      },
      { timeout: 30_000, maxWait: 15_000 },
    );
  } catch (error) {
    if (!isDoubleBooking(error)) throw error;
    await audit({
      action: "planning.changed",
      outcome: "refused",
      actorUserId: actor.userId,
      organisationId: actor.organisationId,
      entityType: "Intervention",
      entityId: change.interventionId,
      details: { reason: "double_booking" },
    });
    return { ok: false, violations: [], message: DOUBLE_BOOKED };
  }
}
