import { can, type Actor } from "~/domain/access/roles.ts";
import type { Prisma } from "~/generated/prisma/client.ts";
import { addDays, fromParisLocal, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { audit } from "./audit.server.ts";
import { db, type Tx } from "./db.server.ts";
import { addToOutbox } from "./outbox.server.ts";
import { PLANNABLE, STAFFED } from "~/domain/requests/status.ts";

/** How far an encadrant sees the people they lead: their interventions of the last four weeks, this week and the next. */
export const LED_WEEKS_BEFORE = 4;
export const LED_WEEKS_AFTER = 1;

/**
 * The people in insertion an actor may see. Coordination and administration
 * see everyone; an encadrant only the people on their own interventions from
 * four weeks ago to the end of next week (minimal data for vulnerable people):
 * every read of a person below goes through this.
 */
export function visibleParticipants(actor: Actor, now = new Date()): Prisma.ParticipantWhereInput {
  if (can(actor.role, "people.viewAll")) return {};
  const week = parisWeekStart(now);
  const from = fromParisLocal(`${addDays(week, -7 * LED_WEEKS_BEFORE)}T00:00`);
  const to = fromParisLocal(`${addDays(week, 7 * (LED_WEEKS_AFTER + 1))}T00:00`);
  return { assignments: { some: { startsAt: { gte: from, lt: to }, intervention: { supervisor: { userId: actor.userId } } } } };
}

export async function listSupervisors() {
  const supervisors = await db().supervisor.findMany({
    where: { active: true },
    orderBy: { firstName: "asc" },
    select: {
      id: true,
      firstName: true,
      lastName: true,
      maxTeamSize: true,
      skills: { select: { skill: { select: { label: true } } } },
    },
  });
  return supervisors.map(({ skills, ...s }) => ({ ...s, skills: skills.map((k) => k.skill.label) }));
}

// ---------------------------------------------------------------------------------------------
// Coordination: hours of the week, skills, availability, absences, planning sheet, exports
// ---------------------------------------------------------------------------------------------

const PLANNED = STAFFED;

const parisWeek = (weekStart: string) => ({ from: fromParisLocal(`${weekStart}T00:00`), to: fromParisLocal(`${addDays(weekStart, 7)}T00:00`) });

/** Workers under contract with the minutes planned for them in the week. */
export async function participantsWithWeek(actor: Actor, weekStart: string, today: Date) {
  const { from, to } = parisWeek(weekStart);
  const [participants, rows] = await Promise.all([
    db().participant.findMany({
      where: { anonymisedAt: null, contractEnd: { gte: today }, ...visibleParticipants(actor, today) },
      orderBy: [{ firstName: "asc" }, { lastInitial: "asc" }, { id: "asc" }],
      select: {
        id: true,
        firstName: true,
        lastInitial: true,
        contractStart: true,
        contractEnd: true,
        weeklyTargetMinutes: true,
        weeklyMaxMinutes: true,
        skills: { select: { skill: { select: { label: true } } } },
      },
    }),
    // Minutes from the assignments' own times (copied from their interventions).
    db().assignment.findMany({
      where: { startsAt: { gte: from, lt: to }, intervention: { status: { in: [...PLANNED] } } },
      select: { participantId: true, startsAt: true, endsAt: true },
    }),
  ]);
  const minutes = new Map<string, number>();
  const count = new Map<string, number>();
  for (const r of rows) {
    minutes.set(r.participantId, (minutes.get(r.participantId) ?? 0) + Math.round((r.endsAt.getTime() - r.startsAt.getTime()) / 60_000));
    count.set(r.participantId, (count.get(r.participantId) ?? 0) + 1);
  }
  return participants.map(({ skills, ...w }) => ({ ...w, skills: skills.map((s) => s.skill.label), plannedMinutes: minutes.get(w.id) ?? 0, interventions: count.get(w.id) ?? 0 }));
}

export async function getParticipant(actor: Actor, participantId: string) {
  const participant = await db().participant.findFirst({
    where: { id: participantId, anonymisedAt: null, ...visibleParticipants(actor) },
    select: {
      id: true,
      firstName: true,
      lastInitial: true,
      contractStart: true,
      contractEnd: true,
      weeklyTargetMinutes: true,
      weeklyMaxMinutes: true,
      skills: { select: { skillId: true } },
      availability: { select: { isoDay: true, fromMinute: true, toMinute: true }, orderBy: [{ isoDay: "asc" }, { fromMinute: "asc" }] },
      absences: { where: { endsAt: { gt: new Date(Date.now() - 31 * 86_400_000) } }, select: { id: true, startsAt: true, endsAt: true }, orderBy: { startsAt: "asc" } },
    },
  });
  if (!participant) return null;
  const skills = await db().skill.findMany({ orderBy: { label: "asc" }, select: { id: true, label: true } });
  return { participant: { ...participant, skills: participant.skills.map((s) => s.skillId) }, skills };
}

export type ParticipantUpdate = {
  weeklyTargetMinutes: number;
  skillIds: string[];
  availability: { isoDay: number; fromMinute: number; toMinute: number }[];
};

/** Skills, weekly target (3 h → 16 h) and weekly availability of a worker, audited. */
export async function updateParticipant(actor: Actor, participantId: string, update: ParticipantUpdate) {
  return db().$transaction(async (tx) => {
    const participant = await tx.participant.findFirst({ where: { id: participantId, anonymisedAt: null }, select: { id: true, weeklyTargetMinutes: true } });
    if (!participant) return false;
    const known = await tx.skill.findMany({ where: { id: { in: update.skillIds } }, select: { id: true } });
    await tx.participant.update({ where: { id: participantId }, data: { weeklyTargetMinutes: update.weeklyTargetMinutes } });
    await tx.participantSkill.deleteMany({ where: { participantId } });
    await tx.participantSkill.createMany({ data: known.map((s) => ({ participantId, skillId: s.id })) });
    await tx.availability.deleteMany({ where: { participantId } });
    await tx.availability.createMany({ data: update.availability.map((a) => ({ participantId, ...a })) });
    await audit(
      {
        action: "worker.updated",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: actor.organisationId,
        entityType: "Worker",
        entityId: participantId,
        details: { weeklyTargetMinutes: { from: participant.weeklyTargetMinutes, to: update.weeklyTargetMinutes }, skills: known.length, windows: update.availability.length },
      },
      tx,
    );
    return true;
  });
}

/**
 * An absence, as dates only (never a reason). Every intervention the person is
 * on during it is re-planned by the scheduler (outbox, same transaction).
 */
export async function addAbsence(actor: Actor, participantId: string, firstDay: string, lastDay: string) {
  return db().$transaction(async (tx) => {
    const participant = await tx.participant.findFirst({ where: { id: participantId, anonymisedAt: null }, select: { id: true } });
    return participant ? recordAbsence(tx, actor, { participantId }, firstDay, lastDay) : null;
  });
}

/**
 * An encadrant's absence (dates only): the interventions they lead then are
 * re-planned, another encadrant taking them; within the notice period the team
 * stays as it is (see replanIntervention).
 */
export async function addSupervisorAbsence(actor: Actor, supervisorId: string, firstDay: string, lastDay: string) {
  return db().$transaction(async (tx) => {
    const supervisor = await tx.supervisor.findFirst({ where: { id: supervisorId, active: true }, select: { id: true } });
    return supervisor ? recordAbsence(tx, actor, { supervisorId }, firstDay, lastDay) : null;
  });
}

/**
 * Writes the absence (Paris days, last day included), asks the scheduler to
 * re-plan every live intervention the person is on during it, and audits it.
 */
async function recordAbsence(tx: Tx, actor: Actor, person: { participantId: string } | { supervisorId: string }, firstDay: string, lastDay: string) {
  const startsAt = fromParisLocal(`${firstDay}T00:00`);
  const endsAt = fromParisLocal(`${addDays(lastDay, 1)}T00:00`);
  const absence = await tx.absence.create({ data: { ...person, startsAt, endsAt } });
  const during = { startsAt: { lt: endsAt }, endsAt: { gt: startsAt } };
  const live = { in: [...PLANNABLE] };
  const affected =
    "participantId" in person
      ? (await tx.assignment.findMany({ where: { participantId: person.participantId, ...during, intervention: { status: live } }, select: { interventionId: true } })).map((a) => a.interventionId)
      : (await tx.intervention.findMany({ where: { supervisorId: person.supervisorId, ...during, status: live }, select: { id: true } })).map((i) => i.id);
  for (const interventionId of affected) {
    await addToOutbox(tx, "scheduling", "replan-intervention", `replan:${interventionId}:absence:${absence.id}`, { interventionId });
  }
  const [action, entityType, entityId] =
    "participantId" in person ? (["worker.absence_added", "Worker", person.participantId] as const) : (["supervisor.absence_added", "Supervisor", person.supervisorId] as const);
  await audit({ action, outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType, entityId, details: { absenceId: absence.id, replanned: affected.length } }, tx);
  return { absenceId: absence.id, replanned: affected };
}

export async function removeSupervisorAbsence(actor: Actor, absenceId: string) {
  const absence = await db().absence.findFirst({ where: { id: absenceId, supervisorId: { not: null } }, select: { supervisorId: true } });
  if (!absence) return false;
  await db().absence.delete({ where: { id: absenceId } });
  await audit({
    action: "supervisor.absence_removed",
    outcome: "ok",
    actorUserId: actor.userId,
    organisationId: actor.organisationId,
    entityType: "Supervisor",
    entityId: absence.supervisorId!,
    details: { absenceId },
  });
  return true;
}

/** Encadrants' absences that are not over yet, soonest first. */
export async function upcomingSupervisorAbsences(now = new Date()) {
  return db().absence.findMany({
    where: { supervisorId: { not: null }, endsAt: { gt: now } },
    orderBy: { startsAt: "asc" },
    select: { id: true, startsAt: true, endsAt: true, supervisor: { select: { firstName: true, lastName: true } } },
  });
}

export async function removeAbsence(actor: Actor, participantId: string, absenceId: string) {
  const { count } = await db().absence.deleteMany({ where: { id: absenceId, participantId } });
  if (count > 0) {
    await audit({
      action: "worker.absence_removed",
      outcome: "ok",
      actorUserId: actor.userId,
      organisationId: actor.organisationId,
      entityType: "Worker",
      entityId: participantId,
      details: { absenceId },
    });
  }
  return count > 0;
}

/** What a person's printed weekly sheet shows. */
export async function participantWeek(actor: Actor, participantId: string, weekStart: string) {
  const { from, to } = parisWeek(weekStart);
  return db().participant.findFirst({
    where: { id: participantId, anonymisedAt: null, ...visibleParticipants(actor) },
    select: {
      id: true,
      firstName: true,
      lastInitial: true,
      weeklyTargetMinutes: true,
      assignments: {
        where: { startsAt: { gte: from, lt: to }, intervention: { status: { in: [...PLANNED] } } },
        orderBy: { startsAt: "asc" },
        select: {
          intervention: {
            select: {
              startsAt: true,
              endsAt: true,
              durationMinutes: true,
              site: { select: { name: true, address: true, postalCode: true, city: true, accessNotes: true } },
              serviceRequest: { select: { accessInstructions: true, prestation: { select: { name: true } } } },
              supervisor: { select: { firstName: true, lastName: true } },
            },
          },
        },
      },
    },
  });
}

/** Hours actually worked in a month (Paris), per person and intervention, for payroll and the DPH report. */
export async function workedEntries(month: string) {
  const from = fromParisLocal(`${month}-01T00:00`);
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  const to = fromParisLocal(`${next}-01T00:00`);
  const rows = await db().timeEntry.findMany({
    where: { intervention: { startsAt: { gte: from, lt: to } } },
    orderBy: [{ participantId: "asc" }, { id: "asc" }],
    select: {
      participantId: true,
      minutesWorked: true,
      absent: true,
      participant: { select: { firstName: true, lastInitial: true } },
      intervention: { select: { startsAt: true, organisation: { select: { id: true, name: true } } } },
    },
  });
  return rows.map((r) => ({
    participantId: r.participantId,
    firstName: r.participant.firstName,
    lastInitial: r.participant.lastInitial,
    minutesWorked: r.minutesWorked,
    absent: r.absent,
    day: toParisDate(r.intervention.startsAt),
    organisationId: r.intervention.organisation.id,
    organisationName: r.intervention.organisation.name,
  }));
}

export async function auditPeopleExport(actor: Actor, what: string) {
  await audit({ action: "people.exported", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "export", entityId: what });
}

// ---------------------------------------------------------------------------------------------
// Creating the people of the service (coordination, administration)
// ---------------------------------------------------------------------------------------------

/** What the creation forms offer: skills, active encadrants, encadrant accounts without a profile yet. */
export async function creationChoices() {
  const [skills, supervisors, accounts] = await Promise.all([
    db().skill.findMany({ orderBy: { label: "asc" }, select: { id: true, label: true } }),
    db().supervisor.findMany({ where: { active: true }, orderBy: [{ firstName: "asc" }, { lastName: "asc" }], select: { id: true, firstName: true, lastName: true } }),
    db().user.findMany({
      where: { deactivatedAt: null, supervisor: null, membership: { role: "ENCADRANT" } },
      orderBy: { name: "asc" },
      select: { id: true, name: true, email: true },
    }),
  ]);
  return { skills, supervisors, accounts };
}

export type CreateResult = { ok: true; id: string } | { ok: false; errors: Record<string, string> };

/** A new person in insertion, with their skills; audited by id only (no name in the log). */
export async function createParticipantRecord(
  actor: Actor,
  input: {
    firstName: string;
    lastInitial: string;
    contractStart: string;
    contractEnd: string;
    weeklyTargetMinutes: number;
    weeklyMaxMinutes: number;
    skillIds: string[];
    referentSupervisorId: string | null;
  },
): Promise<CreateResult> {
  return db().$transaction(async (tx) => {
    if (input.referentSupervisorId) {
      const referent = await tx.supervisor.findFirst({ where: { id: input.referentSupervisorId, active: true }, select: { id: true } });
      if (!referent) return { ok: false as const, errors: { referentSupervisorId: "Choisissez un encadrant de la liste." } };
    }
    const known = await tx.skill.findMany({ where: { id: { in: input.skillIds } }, select: { id: true } });
    const participant = await tx.participant.create({
      data: {
        firstName: input.firstName,
        lastInitial: input.lastInitial,
        contractStart: new Date(`${input.contractStart}T00:00:00Z`),
        contractEnd: new Date(`${input.contractEnd}T00:00:00Z`),
        weeklyTargetMinutes: input.weeklyTargetMinutes,
        weeklyMaxMinutes: input.weeklyMaxMinutes,
        referentSupervisorId: input.referentSupervisorId,
        skills: { create: known.map((s) => ({ skillId: s.id })) },
      },
      select: { id: true },
    });
    await audit(
      {
        action: "worker.created",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: actor.organisationId,
        entityType: "Worker",
        entityId: participant.id,
        details: { weeklyTargetMinutes: input.weeklyTargetMinutes, skills: known.length },
      },
      tx,
    );
    return { ok: true as const, id: participant.id };
  });
}

/** A new encadrant technique, optionally tied to an existing encadrant account (for "Ma journée"). */
export async function createSupervisorRecord(
  actor: Actor,
  input: { firstName: string; lastName: string; maxTeamSize: number; weeklyMaxMinutes: number; skillIds: string[]; userId: string | null },
): Promise<CreateResult> {
  return db().$transaction(async (tx) => {
    if (input.userId) {
      const account = await tx.user.findFirst({ where: { id: input.userId, deactivatedAt: null, supervisor: null, membership: { role: "ENCADRANT" } }, select: { id: true } });
      if (!account) return { ok: false as const, errors: { userId: "Choisissez un compte d'encadrant de la liste (sans fiche encadrant)." } };
    }
    const known = await tx.skill.findMany({ where: { id: { in: input.skillIds } }, select: { id: true } });
    const supervisor = await tx.supervisor.create({
      data: {
        firstName: input.firstName,
        lastName: input.lastName,
        maxTeamSize: input.maxTeamSize,
        weeklyMaxMinutes: input.weeklyMaxMinutes,
        userId: input.userId,
        skills: { create: known.map((s) => ({ skillId: s.id })) },
        // Weekdays 08:00–17:00 until someone says otherwise: a new encadrant is plannable at once.
        availability: { create: [1, 2, 3, 4, 5].map((isoDay) => ({ isoDay, fromMinute: 8 * 60, toMinute: 17 * 60 })) },
      },
      select: { id: true },
    });
    await audit(
      {
        action: "supervisor.created",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: actor.organisationId,
        entityType: "Supervisor",
        entityId: supervisor.id,
        details: { maxTeamSize: input.maxTeamSize, skills: known.length, account: input.userId !== null },
      },
      tx,
    );
    return { ok: true as const, id: supervisor.id };
  });
}
