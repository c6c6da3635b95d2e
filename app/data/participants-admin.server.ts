import type { Actor } from "~/domain/access/roles.ts";
import { ANONYMISED_IDENTITY, retentionCutoff } from "~/domain/backoffice/retention.ts";
import { audit } from "./audit.server.ts";
import { assertCan } from "./backoffice-access.server.ts";
import { db, type Tx } from "./db.server.ts";
import { getServiceRules } from "./settings.server.ts";

// Retention of the data of people in insertion (GDPR). Anonymising keeps the
// Worker row, its assignments and its time entries (the hours that impact
// figures count), and removes who the person is: name, skills, availability,
// absences. The audit log names the person by id only, before and after.

async function anonymiseInTx(tx: Tx, participantId: string, now: Date) {
  const claimed = await tx.participant.updateMany({
    where: { id: participantId, anonymisedAt: null },
    data: { ...ANONYMISED_IDENTITY, anonymisedAt: now },
  });
  if (claimed.count !== 1) return false;
  await tx.participantSkill.deleteMany({ where: { participantId } });
  await tx.availability.deleteMany({ where: { participantId } });
  await tx.absence.deleteMany({ where: { participantId } });
  return true;
}

/**
 * The retention job: anonymises every person whose contract ended more than
 * the retention period ago. Idempotent: a second run the same day finds
 * nobody left. `now` is passed in so tests freeze the clock.
 */
export async function anonymiseDueParticipants(now: Date): Promise<{ anonymised: number; retentionMonths: number }> {
  const { retentionMonths } = await getServiceRules();
  const cutoff = retentionCutoff(now, retentionMonths);
  const due = await db().participant.findMany({ where: { anonymisedAt: null, contractEnd: { lt: cutoff } }, select: { id: true } });
  let anonymised = 0;
  for (const { id } of due) {
    const done = await db().$transaction(async (tx) => {
      const ok = await anonymiseInTx(tx, id, now);
      if (ok) {
        await audit({ action: "worker.anonymised", outcome: "ok", entityType: "Worker", entityId: id, details: { reason: "retention", retentionMonths } }, tx);
      }
      return ok;
    });
    if (done) anonymised++;
  }
  return { anonymised, retentionMonths };
}

/** Erasure on request (GDPR art. 17): the same anonymisation, at once, audited with the admin. */
export async function eraseParticipant(actor: Actor, participantId: string, now = new Date()) {
  assertCan(actor, "backoffice.personalData");
  return db().$transaction(async (tx) => {
    const ok = await anonymiseInTx(tx, participantId, now);
    if (ok) {
      await audit({ action: "worker.erased", outcome: "ok", actorUserId: actor.userId, entityType: "Worker", entityId: participantId, details: { reason: "request" } }, tx);
    }
    return ok;
  });
}

/** Everything the app holds about one person (GDPR art. 15), as plain data; the export is audited. */
export async function exportParticipantData(actor: Actor, participantId: string, now = new Date()) {
  assertCan(actor, "backoffice.personalData");
  const participant = await db().participant.findUnique({
    where: { id: participantId },
    select: {
      id: true,
      firstName: true,
      lastInitial: true,
      contractStart: true,
      contractEnd: true,
      weeklyTargetMinutes: true,
      weeklyMaxMinutes: true,
      anonymisedAt: true,
      createdAt: true,
      referent: { select: { firstName: true, lastName: true } },
      agreements: { select: { recordedAt: true, usedAt: true, intervention: { select: { startsAt: true } } }, orderBy: { recordedAt: "asc" } },
      skills: { select: { skill: { select: { label: true } } } },
      availability: { select: { isoDay: true, fromMinute: true, toMinute: true }, orderBy: [{ isoDay: "asc" }, { fromMinute: "asc" }] },
      absences: { select: { startsAt: true, endsAt: true }, orderBy: { startsAt: "asc" } },
      timeEntries: {
        select: {
          minutesWorked: true,
          absent: true,
          checkInAt: true,
          checkOutAt: true,
          intervention: { select: { startsAt: true, site: { select: { name: true } }, serviceRequest: { select: { prestation: { select: { name: true } } } } } },
        },
        orderBy: { createdAt: "asc" },
      },
      assignments: {
        select: { startsAt: true, endsAt: true, intervention: { select: { site: { select: { name: true } }, serviceRequest: { select: { prestation: { select: { name: true } } } } } } },
        orderBy: { startsAt: "asc" },
      },
    },
  });
  if (!participant) return null;
  await audit({ action: "worker.exported", outcome: "ok", actorUserId: actor.userId, entityType: "Worker", entityId: participantId });
  return {
    exportedAt: now.toISOString(),
    person: {
      id: participant.id,
      firstName: participant.firstName,
      lastInitial: participant.lastInitial,
      contractStart: participant.contractStart.toISOString().slice(0, 10),
      contractEnd: participant.contractEnd.toISOString().slice(0, 10),
      weeklyTargetMinutes: participant.weeklyTargetMinutes,
      weeklyMaxMinutes: participant.weeklyMaxMinutes,
      anonymisedAt: participant.anonymisedAt?.toISOString() ?? null,
      recordedAt: participant.createdAt.toISOString(),
      referentEncadrant: participant.referent ? `${participant.referent.firstName} ${participant.referent.lastName}` : null,
    },
    // Agreements to a change of a confirmed schedule, recorded by the encadrant.
    scheduleChangeAgreements: participant.agreements.map((g) => ({
      intervention: g.intervention.startsAt.toISOString(),
      recordedAt: g.recordedAt.toISOString(),
      usedAt: g.usedAt?.toISOString() ?? null,
    })),
    skills: participant.skills.map((s) => s.skill.label),
    availability: participant.availability,
    absences: participant.absences.map((a) => ({ startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString() })),
    assignments: participant.assignments.map((a) => ({
      startsAt: a.startsAt.toISOString(),
      endsAt: a.endsAt.toISOString(),
      site: a.intervention.site.name,
      prestation: a.intervention.serviceRequest.prestation.name,
    })),
    hoursWorked: participant.timeEntries.map((t) => ({
      date: t.intervention.startsAt.toISOString(),
      site: t.intervention.site.name,
      prestation: t.intervention.serviceRequest.prestation.name,
      minutesWorked: t.minutesWorked,
      absent: t.absent,
    })),
  };
}

/** The back office's list: people, their contract and whether they are anonymised; the ones due first. */
export async function listParticipantsForRetention(actor: Actor, now: Date) {
  assertCan(actor, "backoffice.personalData");
  const { retentionMonths } = await getServiceRules();
  const cutoff = retentionCutoff(now, retentionMonths);
  const participants = await db().participant.findMany({
    orderBy: [{ anonymisedAt: { sort: "asc", nulls: "first" } }, { contractEnd: "asc" }],
    select: { id: true, firstName: true, lastInitial: true, contractStart: true, contractEnd: true, anonymisedAt: true },
  });
  return { retentionMonths, participants: participants.map((w) => ({ ...w, due: !w.anonymisedAt && w.contractEnd < cutoff })) };
}

/** The figures impact reports use: minutes worked and people counted, by id. Never changed by anonymising. */
export async function impactTotals() {
  const [minutes, people, assignments] = await Promise.all([
    db().timeEntry.aggregate({ _sum: { minutesWorked: true }, where: { absent: false } }),
    db().timeEntry.groupBy({ by: ["participantId"], where: { absent: false } }),
    db().assignment.count(),
  ]);
  return { minutesWorked: minutes._sum.minutesWorked ?? 0, people: people.length, assignments };
}
