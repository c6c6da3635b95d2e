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

async function anonymiseInTx(tx: Tx, workerId: string, now: Date) {
  const claimed = await tx.worker.updateMany({
    where: { id: workerId, anonymisedAt: null },
    data: { ...ANONYMISED_IDENTITY, anonymisedAt: now },
  });
  if (claimed.count !== 1) return false;
  await tx.workerSkill.deleteMany({ where: { workerId } });
  await tx.availability.deleteMany({ where: { workerId } });
  await tx.absence.deleteMany({ where: { workerId } });
  return true;
}

/**
 * The retention job: anonymises every person whose contract ended more than
 * the retention period ago. Idempotent: a second run the same day finds
 * nobody left. `now` is passed in so tests freeze the clock.
 */
export async function anonymiseDueWorkers(now: Date): Promise<{ anonymised: number; retentionMonths: number }> {
  const { retentionMonths } = await getServiceRules();
  const cutoff = retentionCutoff(now, retentionMonths);
  const due = await db().worker.findMany({ where: { anonymisedAt: null, contractEnd: { lt: cutoff } }, select: { id: true } });
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
export async function eraseWorker(actor: Actor, workerId: string, now = new Date()) {
  assertCan(actor, "backoffice.personalData");
  return db().$transaction(async (tx) => {
    const ok = await anonymiseInTx(tx, workerId, now);
    if (ok) {
      await audit(
        { action: "worker.erased", outcome: "ok", actorUserId: actor.userId, entityType: "Worker", entityId: workerId, details: { reason: "request" } },
        tx,
      );
    }
    return ok;
  });
}

/** Everything the app holds about one person (GDPR art. 15), as plain data; the export is audited. */
export async function exportWorkerData(actor: Actor, workerId: string, now = new Date()) {
  assertCan(actor, "backoffice.personalData");
  const worker = await db().worker.findUnique({
    where: { id: workerId },
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
          intervention: { select: { startsAt: true, site: { select: { name: true } }, request: { select: { prestation: { select: { name: true } } } } } },
        },
        orderBy: { createdAt: "asc" },
      },
      assignments: {
        select: { startsAt: true, endsAt: true, intervention: { select: { site: { select: { name: true } }, request: { select: { prestation: { select: { name: true } } } } } } },
        orderBy: { startsAt: "asc" },
      },
    },
  });
  if (!worker) return null;
  await audit({ action: "worker.exported", outcome: "ok", actorUserId: actor.userId, entityType: "Worker", entityId: workerId });
  return {
    exportedAt: now.toISOString(),
    person: {
      id: worker.id,
      firstName: worker.firstName,
      lastInitial: worker.lastInitial,
      contractStart: worker.contractStart.toISOString().slice(0, 10),
      contractEnd: worker.contractEnd.toISOString().slice(0, 10),
      weeklyTargetMinutes: worker.weeklyTargetMinutes,
      weeklyMaxMinutes: worker.weeklyMaxMinutes,
      anonymisedAt: worker.anonymisedAt?.toISOString() ?? null,
      recordedAt: worker.createdAt.toISOString(),
      referentEncadrant: worker.referent ? `${worker.referent.firstName} ${worker.referent.lastName}` : null,
    },
    // Agreements to a change of a confirmed schedule, recorded by the encadrant.
    scheduleChangeAgreements: worker.agreements.map((g) => ({
      intervention: g.intervention.startsAt.toISOString(),
      recordedAt: g.recordedAt.toISOString(),
      usedAt: g.usedAt?.toISOString() ?? null,
    })),
    skills: worker.skills.map((s) => s.skill.label),
    availability: worker.availability,
    absences: worker.absences.map((a) => ({ startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString() })),
    assignments: worker.assignments.map((a) => ({
      startsAt: a.startsAt.toISOString(),
      endsAt: a.endsAt.toISOString(),
      site: a.intervention.site.name,
      prestation: a.intervention.request.prestation.name,
    })),
    hoursWorked: worker.timeEntries.map((t) => ({
      date: t.intervention.startsAt.toISOString(),
      site: t.intervention.site.name,
      prestation: t.intervention.request.prestation.name,
      minutesWorked: t.minutesWorked,
      absent: t.absent,
    })),
  };
}

/** The back office's list: people, their contract and whether they are anonymised; the ones due first. */
export async function listWorkersForRetention(actor: Actor, now: Date) {
  assertCan(actor, "backoffice.personalData");
  const { retentionMonths } = await getServiceRules();
  const cutoff = retentionCutoff(now, retentionMonths);
  const workers = await db().worker.findMany({
    orderBy: [{ anonymisedAt: { sort: "asc", nulls: "first" } }, { contractEnd: "asc" }],
    select: { id: true, firstName: true, lastInitial: true, contractStart: true, contractEnd: true, anonymisedAt: true },
  });
  return { retentionMonths, workers: workers.map((w) => ({ ...w, due: !w.anonymisedAt && w.contractEnd < cutoff })) };
}

/** The figures impact reports use: minutes worked and people counted, by id. Never changed by anonymising. */
export async function impactTotals() {
  const [minutes, people, assignments] = await Promise.all([
    db().timeEntry.aggregate({ _sum: { minutesWorked: true }, where: { absent: false } }),
    db().timeEntry.groupBy({ by: ["workerId"], where: { absent: false } }),
    db().assignment.count(),
  ]);
  return { minutesWorked: minutes._sum.minutesWorked ?? 0, people: people.length, assignments };
}
