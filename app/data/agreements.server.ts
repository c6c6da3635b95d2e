import type { Actor } from "~/domain/access/roles.ts";
import { audit } from "./audit.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { db, rawRows, sqlTimestamp, type TxClient } from "./db.server.ts";
import { getServiceRules } from "./settings.server.ts";
import { ofName } from "~/utils/format.ts";

// The people in insertion are part-time employees: within the notice period
// (a service rule, 7 days by default) their confirmed schedule changes only
// with their agreement, which their encadrant (or a coordinator) records here.
// Without it, re-planning keeps them where they are (app/data/scheduling.server.ts
// pins them); with it, the next re-planning may move that person's assignment.

const DAY_MS = 86_400_000;

export type AgreementTeam = {
  noticeDays: number;
  /** Confirmed, staffed and starting within the notice period: agreements apply. */
  underNotice: boolean;
  members: { participantId: string; name: string; agreedAt: Date | null; recordedBy: string | null }[];
};

/** The team of an intervention with each person's agreement, for the coordinator or its own encadrant. */
export async function agreementTeam(interventionId: string, scope: { supervisorId?: string } = {}, now = new Date()): Promise<AgreementTeam | null> {
  const [rules, intervention] = await Promise.all([
    getServiceRules(),
    db().intervention.findFirst({
      where: { id: interventionId, ...(scope.supervisorId ? { supervisorId: scope.supervisorId } : {}) },
      select: {
        status: true,
        startsAt: true,
        confirmedAt: true,
        assignments: { orderBy: { participantId: "asc" }, select: { participantId: true, participant: { select: { firstName: true, lastInitial: true } } } },
        agreements: { where: { usedAt: null }, select: { participantId: true, recordedAt: true, recordedBy: { select: { name: true } } } },
      },
    }),
  ]);
  if (!intervention) return null;
  const agreed = new Map(intervention.agreements.map((a) => [a.participantId, a]));
  return {
    noticeDays: rules.scheduleChangeNoticeDays,
    underNotice:
      intervention.status === "SCHEDULED" &&
      intervention.confirmedAt !== null &&
      intervention.startsAt > now &&
      intervention.startsAt.getTime() < now.getTime() + rules.scheduleChangeNoticeDays * DAY_MS,
    members: intervention.assignments.map((a) => ({
      participantId: a.participantId,
      name: `${a.participant.firstName} ${a.participant.lastInitial}.`,
      agreedAt: agreed.get(a.participantId)?.recordedAt ?? null,
      recordedBy: agreed.get(a.participantId)?.recordedBy?.name ?? null,
    })),
  };
}

export type AgreementResult = { ok: true; message: string } | { ok: false; message: string };

/**
 * Records that the person agrees their assignment on this intervention may
 * change. Audited with the opaque ids only. `scope.supervisorId`: an encadrant
 * records it for their own interventions only.
 */
export async function recordAgreement(actor: Actor, interventionId: string, participantId: string, scope: { supervisorId?: string } = {}, now = new Date()): Promise<AgreementResult> {
  const team = await agreementTeam(interventionId, scope, now);
  if (!team) return { ok: false, message: "Cette intervention n'existe pas ou ne vous est pas confiée." };
  const member = team.members.find((m) => m.participantId === participantId);
  if (!member) return { ok: false, message: "Cette personne n'est pas dans l'équipe de l'intervention." };
  if (!team.underNotice) return { ok: false, message: `Cette intervention n'est pas dans les ${team.noticeDays} jours de préavis : son planning peut changer sans accord.` };
  await db().$transaction(async (tx) => {
    await tx.scheduleChangeAgreement.upsert({
      where: { interventionId_participantId: { interventionId, participantId } },
      create: { interventionId, participantId, recordedById: actor.userId, recordedAt: now },
      update: { recordedById: actor.userId, recordedAt: now, usedAt: null },
    });
    await audit(
      {
        action: "planning.agreement_recorded",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: actor.organisationId,
        entityType: "Intervention",
        entityId: interventionId,
        details: { participantId },
      },
      tx,
    );
  });
  return { ok: true, message: `Accord ${ofName(member.name)} enregistré : la prochaine re-planification pourra changer son affectation.` };
}

/** Takes an agreement back (recorded by mistake), audited the same way. */
export async function withdrawAgreement(actor: Actor, interventionId: string, participantId: string, scope: { supervisorId?: string } = {}): Promise<AgreementResult> {
  const intervention = await db().intervention.findFirst({ where: { id: interventionId, ...(scope.supervisorId ? { supervisorId: scope.supervisorId } : {}) }, select: { id: true } });
  if (!intervention) return { ok: false, message: "Cette intervention n'existe pas ou ne vous est pas confiée." };
  const removed = await db().$transaction(async (tx) => {
    const { count } = await tx.scheduleChangeAgreement.deleteMany({ where: { interventionId, participantId, usedAt: null } });
    if (count > 0) {
      await audit(
        {
          action: "planning.agreement_withdrawn",
          outcome: "ok",
          actorUserId: actor.userId,
          organisationId: actor.organisationId,
          entityType: "Intervention",
          entityId: interventionId,
          details: { participantId },
        },
        tx,
      );
    }
    return count;
  });
  return removed > 0 ? { ok: true, message: "Accord retiré : son planning ne changera plus sans nouvel accord." } : { ok: false, message: "Aucun accord à retirer." };
}

/**
 * After a plan is written: what is staffed is confirmed (the partner is told,
 * the planning sheets printed), and an agreement whose person left the
 * intervention has been used.
 */
export async function settleConfirmations(tx: TxClient, interventionIds: readonly string[]) {
  if (interventionIds.length === 0) return;
  const ids = [...interventionIds];
  const now = sqlTimestamp();
  // One statement, in a Prisma transaction or one straight on pg (instant mode's).
  await rawRows(
    tx,
    Prisma.sql`
    WITH confirmed AS (
      UPDATE "Intervention" SET "confirmedAt" = ${now}::timestamp(3), "updatedAt" = ${now}::timestamp(3)
      WHERE id = ANY(${ids}::text[]) AND status = 'SCHEDULED' AND "confirmedAt" IS NULL)
    UPDATE "ScheduleChangeAgreement" AS g SET "usedAt" = ${now}::timestamp(3)
    WHERE g."interventionId" = ANY(${ids}::text[]) AND g."usedAt" IS NULL
      AND NOT EXISTS (SELECT 1 FROM "Assignment" s WHERE s."interventionId" = g."interventionId" AND s."participantId" = g."participantId")`,
  );
}

/** Whether a kept (confirmed, within notice) assignment is released by the person's agreement. */
export const releasedByAgreement = (agreements: readonly { participantId: string }[], participantId: string) => agreements.some((g) => g.participantId === participantId);
