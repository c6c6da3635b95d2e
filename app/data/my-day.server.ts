import { weeklyCeilingMinutes } from "~/domain/dph.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { decideAttendance, hoursDifferFromPlan } from "~/domain/planning/attendance.ts";
import { addDays, fromParisLocal, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { audit } from "./audit.server.ts";
import { db } from "./db.server.ts";
import { queueNotification } from "./notifications.server.ts";
import { getServiceRules } from "./settings.server.ts";
import { isIn, ON_THE_GROUND } from "~/domain/requests/status.ts";

// The encadrant's day: their own interventions only (Supervisor.userId = the
// signed-in user), hours actually worked, absences of the day, the report.

export async function supervisorOfUser(userId: string) {
  return db().supervisor.findUnique({ where: { userId }, select: { id: true, firstName: true, lastName: true, calendarTokenHash: true } });
}

const interventionSelect = {
  id: true,
  startsAt: true,
  endsAt: true,
  durationMinutes: true,
  participantsNeeded: true,
  status: true,
  site: { select: { name: true, address: true, postalCode: true, city: true, accessNotes: true } },
  serviceRequest: { select: { reference: true, accessInstructions: true, prestation: { select: { name: true } }, organisation: { select: { name: true } } } },
  assignments: { select: { participantId: true, participant: { select: { firstName: true, lastInitial: true } } }, orderBy: { participantId: "asc" as const } },
  timeEntries: { select: { participantId: true, checkInAt: true, checkOutAt: true, minutesWorked: true, absent: true, correctionReason: true } },
  report: { select: { text: true, incidents: true, updatedAt: true } },
} as const;

/** Today's and tomorrow's interventions (Paris days) of one encadrant. */
export async function myInterventions(supervisorId: string, now = new Date()) {
  const today = toParisDate(now);
  const rows = await db().intervention.findMany({
    where: { supervisorId, status: { in: [...ON_THE_GROUND] }, startsAt: { gte: fromParisLocal(`${today}T00:00`), lt: fromParisLocal(`${addDays(today, 2)}T00:00`) } },
    orderBy: { startsAt: "asc" },
    select: interventionSelect,
  });
  return { today, tomorrow: addDays(today, 1), interventions: rows };
}

/**
 * The encadrant's confirmed interventions after tomorrow and within the notice
 * period: where a change for a person of the team needs their agreement.
 */
export async function myNoticePeriod(supervisorId: string, noticeDays: number, now = new Date()) {
  const today = toParisDate(now);
  return db().intervention.findMany({
    where: {
      supervisorId,
      status: "SCHEDULED",
      confirmedAt: { not: null },
      startsAt: { gte: fromParisLocal(`${addDays(today, 2)}T00:00`), lt: new Date(now.getTime() + noticeDays * 86_400_000) },
    },
    orderBy: { startsAt: "asc" },
    select: {
      id: true,
      startsAt: true,
      endsAt: true,
      site: { select: { name: true } },
      serviceRequest: { select: { prestation: { select: { name: true } } } },
      _count: { select: { assignments: true } },
    },
  });
}

/** One intervention of this encadrant, or null (another encadrant's is as unknown as a made-up id). */
export async function myIntervention(supervisorId: string, interventionId: string) {
  return db().intervention.findFirst({ where: { id: interventionId, supervisorId }, select: interventionSelect });
}

type Recorded = { ok: true; overLimit: boolean } | { ok: false; message: string };
export type TimeAction = { kind: "check-in" } | { kind: "check-out" } | { kind: "absent" } | { kind: "correct"; minutes: number; reason: string };

/**
 * Records what happened for one person of the team, in the order the field
 * allows (app/domain/planning/attendance.ts): arrival within the window around
 * the planned start, departure after arrival (the minutes are the time between
 * them), absence, or minutes typed by hand with a reason. Hours are kept as
 * they were, even past a limit: payroll needs the true figure. Far from the
 * plan or past the person's weekly cap, coordination is told (an audit entry,
 * a notification by mail, and a badge on the planning board).
 */
export async function recordTime(actor: Actor, supervisorId: string, interventionId: string, participantId: string, what: TimeAction, now = new Date()): Promise<Recorded> {
  const { fieldHours } = await getServiceRules();
  return db().$transaction(async (tx) => {
    const intervention = await tx.intervention.findFirst({
      where: { id: interventionId, supervisorId, assignments: { some: { participantId } } },
      select: { id: true, status: true, startsAt: true, endsAt: true, durationMinutes: true },
    });
    if (!intervention) return { ok: false as const, message: "Cette personne ne fait pas partie de l'équipe de cette intervention." };
    if (!isIn(ON_THE_GROUND, intervention.status)) return { ok: false as const, message: "Les heures de cette intervention ne peuvent plus être modifiées." };
    const existing = await tx.timeEntry.findUnique({ where: { interventionId_participantId: { interventionId, participantId } } });
    const action = what.kind === "correct" ? "correct" : what.kind;
    const decision = decideAttendance(action, existing, intervention, fieldHours, now);
    if (!decision.ok) return { ok: false as const, message: decision.message };
    let data: { checkInAt?: Date | null; checkOutAt?: Date | null; minutesWorked?: number; absent?: boolean; correctionReason?: string | null };
    if (what.kind === "check-in") data = { checkInAt: now, checkOutAt: null, minutesWorked: 0, absent: false, correctionReason: null };
    else if (what.kind === "check-out") data = { checkOutAt: now, minutesWorked: decision.minutes!, correctionReason: null };
    else if (what.kind === "correct") data = { minutesWorked: what.minutes, absent: false, correctionReason: what.reason };
    else data = { absent: true, minutesWorked: 0, checkInAt: null, checkOutAt: null, correctionReason: null };
    const entry = await tx.timeEntry.upsert({
      where: { interventionId_participantId: { interventionId, participantId } },
      create: { interventionId, participantId, recordedById: actor.userId, minutesWorked: 0, ...data },
      update: { ...data, recordedById: actor.userId },
    });
    if (intervention.status === "SCHEDULED" && what.kind !== "absent") {
      await tx.intervention.update({ where: { id: interventionId }, data: { status: "IN_PROGRESS" } });
    }
    // The person's hours actually worked this week, against the DPH cap.
    const week = parisWeekStart(intervention.startsAt);
    // One after the other: a transaction is one connection, which pg does not share between queries.
    const participant = await tx.participant.findUniqueOrThrow({ where: { id: participantId }, select: { weeklyMaxMinutes: true } });
    const weekEntries = await tx.timeEntry.aggregate({
      where: { participantId, intervention: { startsAt: { gte: fromParisLocal(`${week}T00:00`), lt: fromParisLocal(`${addDays(week, 7)}T00:00`) } } },
      _sum: { minutesWorked: true },
    });
    const weekMinutes = weekEntries._sum.minutesWorked ?? 0;
    const final = what.kind === "check-out" || what.kind === "correct";
    const farFromPlan = final && hoursDifferFromPlan(entry.minutesWorked, intervention.durationMinutes, fieldHours);
    const overLimit = farFromPlan || weekMinutes > weeklyCeilingMinutes(participant.weeklyMaxMinutes);
    const base = { actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Intervention", entityId: interventionId };
    const previousMinutes = existing?.minutesWorked ?? 0;
    await audit(
      {
        ...base,
        action: `time.${what.kind}`,
        outcome: "ok",
        details: { participantId, minutesWorked: entry.minutesWorked, absent: entry.absent, ...(what.kind === "correct" ? { previousMinutes, reason: what.reason } : {}) },
      },
      tx,
    );
    if (overLimit) {
      await audit(
        { ...base, action: "hours.over_limit", outcome: "ok", details: { participantId, minutesWorked: entry.minutesWorked, plannedMinutes: intervention.durationMinutes, weekMinutes } },
        tx,
      );
      await queueNotification(tx, "hours.flagged", { interventionId }, `${participantId}:${entry.minutesWorked}:${weekMinutes}`);
    }
    return { ok: true as const, overLimit };
  });
}

/** The short report and incidents; the intervention is then done. */
export async function saveReport(actor: Actor, supervisorId: string, interventionId: string, report: { text: string; incidents: string | null }) {
  return db().$transaction(async (tx) => {
    const intervention = await tx.intervention.findFirst({ where: { id: interventionId, supervisorId }, select: { status: true } });
    if (!intervention || !isIn(ON_THE_GROUND, intervention.status)) return false;
    await tx.interventionReport.upsert({
      where: { interventionId },
      create: { interventionId, text: report.text, incidents: report.incidents, recordedById: actor.userId },
      update: { text: report.text, incidents: report.incidents, recordedById: actor.userId },
    });
    if (intervention.status !== "DONE") {
      await tx.intervention.update({ where: { id: interventionId }, data: { status: "DONE" } });
      await queueNotification(tx, "intervention.done", { interventionId }, "done");
    }
    await audit(
      {
        action: "intervention.report_saved",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: actor.organisationId,
        entityType: "Intervention",
        entityId: interventionId,
        details: { incidents: report.incidents !== null },
      },
      tx,
    );
    return true;
  });
}
