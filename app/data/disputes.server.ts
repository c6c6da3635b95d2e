import { can, type Actor } from "~/domain/access/roles.ts";
import { canContest, disputeDeadline, settlementText, type DisputeOutcome } from "~/domain/invoicing/disputes.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { formatDateTime } from "~/utils/format.ts";
import { audit } from "./audit.server.ts";
import { db } from "./db.server.ts";
import { prepareDraft } from "./invoicing.server.ts";
import { queueNotification } from "./notifications.server.ts";
import { getServiceRules } from "./settings.server.ts";

// Contested hours: the partner opens a dispute on a done intervention, finance
// settles it (keep, correct, waive). The invoice run reads the outcome
// (billing-claims.server.ts); the hours worked (TimeEntry) are never changed.

export type DisputeResult = { ok: true; message: string } | { ok: false; status: 400 | 404 | 409; field?: string; message: string };

const workedMinutes = (entries: { minutesWorked: number; absent: boolean }[]) => ({
  minutes: entries.filter((e) => !e.absent).reduce((s, e) => s + e.minutesWorked, 0),
  people: entries.filter((e) => !e.absent).length,
});

/** The hours of one of the partner's interventions, its dispute and whether it may still be contested. */
export async function interventionHours(actor: Actor, interventionId: string, now = new Date()) {
  const i = await db().intervention.findFirst({
    // Partners: their own interventions only; staff who see every request see these hours too.
    where: { id: interventionId, ...(can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId }) },
    select: {
      id: true,
      status: true,
      startsAt: true,
      timeEntries: { select: { minutesWorked: true, absent: true } },
      billingClaim: { select: { invoiceLine: { select: { invoice: { select: { number: true } } } } } },
      disputes: { select: { id: true, reason: true, openedAt: true, settledAt: true, settlement: true, outcome: true, correctedMinutes: true }, orderBy: { openedAt: "desc" } },
    },
  });
  if (!i) return null;
  const rules = await getServiceRules();
  const { minutes, people } = workedMinutes(i.timeEntries);
  const check = canContest(
    {
      status: i.status,
      startsAt: i.startsAt,
      hasDispute: i.disputes.length > 0,
      onIssuedInvoice: !!i.billingClaim?.invoiceLine.invoice.number,
      hoursRecorded: i.timeEntries.length > 0,
    },
    now,
    rules.disputeWindowDays,
  );
  return {
    recordedMinutes: minutes,
    people,
    hoursRecorded: i.timeEntries.length > 0,
    deadline: disputeDeadline(i.startsAt, rules.disputeWindowDays),
    contest: check,
    disputes: i.disputes,
  };
}

/** A partner contests the hours of one of its done interventions (once). */
export async function openDispute(actor: Actor, interventionId: string, reason: string, now = new Date()): Promise<DisputeResult> {
  const hours = await interventionHours(actor, interventionId, now);
  if (!hours) return { ok: false, status: 404, message: "Cette intervention n'existe pas." };
  if (!hours.contest.ok) return { ok: false, status: 409, message: hours.contest.message };
  let draftMonth: string | null = null;
  try {
    await db().$transaction(async (tx) => {
      const dispute = await tx.dispute.create({ data: { interventionId, organisationId: actor.organisationId, reason, openedById: actor.userId, openedAt: now }, select: { id: true } });
      // On a draft (not numbered yet): the draft is rebuilt below, without this line.
      const claim = await tx.billingClaim.findUnique({ where: { interventionId }, select: { invoiceLine: { select: { invoice: { select: { periodStart: true, status: true, number: true } } } } } });
      const invoice = claim?.invoiceLine.invoice;
      if (invoice && (invoice.status !== "DRAFT" || invoice.number)) throw new AlreadyBilled();
      if (invoice) draftMonth = invoice.periodStart.toISOString().slice(0, 7);
      await audit(
        { action: "dispute.opened", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Dispute", entityId: dispute.id, details: { interventionId } },
        tx,
      );
    });
  } catch (error) {
    if (error instanceof AlreadyBilled) return { ok: false, status: 409, message: "Cette intervention vient d'être facturée : écrivez à la coordination depuis la demande." };
    // Two submissions at once: the database keeps one open dispute per intervention.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return { ok: false, status: 409, message: "Ces heures ont déjà été contestées." };
    throw error;
  }
  if (draftMonth) await prepareDraft(actor.organisationId, draftMonth, await getServiceRules());
  return { ok: true, message: "Contestation envoyée : l'équipe finance l'examine, cette intervention attend sa décision pour être facturée." };
}

class AlreadyBilled extends Error {}

/** Open disputes, oldest first, with what finance needs to decide. */
export async function listOpenDisputes() {
  const rows = await db().dispute.findMany({
    where: { settledAt: null },
    orderBy: { openedAt: "asc" },
    take: 200,
    select: {
      id: true,
      reason: true,
      openedAt: true,
      organisation: { select: { id: true, name: true } },
      intervention: {
        select: {
          id: true,
          startsAt: true,
          participantsNeeded: true,
          durationMinutes: true,
          site: { select: { name: true } },
          serviceRequest: { select: { id: true, reference: true, prestation: { select: { name: true, pricingUnit: true } } } },
          timeEntries: { select: { minutesWorked: true, absent: true } },
        },
      },
    },
  });
  return rows.map((d) => ({
    id: d.id,
    reason: d.reason,
    openedAt: d.openedAt,
    partner: d.organisation.name,
    startsAt: d.intervention.startsAt,
    site: d.intervention.site.name,
    prestation: d.intervention.serviceRequest.prestation.name,
    flatPrice: d.intervention.serviceRequest.prestation.pricingUnit === "FLAT",
    reference: d.intervention.serviceRequest.reference,
    plannedMinutes: d.intervention.durationMinutes * d.intervention.participantsNeeded,
    ...(({ minutes, people }) => ({ recordedMinutes: minutes, people }))(workedMinutes(d.intervention.timeEntries)),
  }));
}

/** The latest settlements: who decided what, and when. */
export async function listRecentSettlements(limit = 20) {
  const rows = await db().dispute.findMany({
    where: { settledAt: { not: null } },
    orderBy: { settledAt: "desc" },
    take: limit,
    select: {
      id: true,
      settledAt: true,
      settledById: true,
      outcome: true,
      correctedMinutes: true,
      settlement: true,
      organisation: { select: { name: true } },
      intervention: { select: { startsAt: true, site: { select: { name: true } } } },
    },
  });
  const names = new Map(
    (await db().user.findMany({ where: { id: { in: rows.map((r) => r.settledById).filter((v): v is string => !!v) } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]),
  );
  return rows.map((r) => ({
    id: r.id,
    settledAt: r.settledAt!,
    settledBy: r.settledById ? (names.get(r.settledById) ?? "Compte supprimé") : "—",
    outcome: r.outcome as DisputeOutcome,
    correctedMinutes: r.correctedMinutes,
    answer: r.settlement,
    partner: r.organisation.name,
    startsAt: r.intervention.startsAt,
    site: r.intervention.site.name,
  }));
}

export async function countOpenDisputes() {
  return db().dispute.count({ where: { settledAt: null } });
}

/**
 * Finance settles a dispute, once. The intervention then enters the next
 * preparation of drafts (its own month's, or a later one's, carried over).
 */
export async function settleDispute(actor: Actor, disputeId: string, input: { outcome: DisputeOutcome; correctedMinutes?: number; answer: string }, now = new Date()): Promise<DisputeResult> {
  return db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ id: string; settledAt: Date | null; organisationId: string; interventionId: string }[]>`
      SELECT id, "settledAt", "organisationId", "interventionId" FROM "Dispute" WHERE id = ${disputeId} FOR UPDATE`;
    if (!row) return { ok: false, status: 404, message: "Cette contestation n'existe pas." };
    if (row.settledAt) return { ok: false, status: 409, message: "Cette contestation a déjà été réglée." };
    const intervention = await tx.intervention.findUniqueOrThrow({
      where: { id: row.interventionId },
      select: { requestId: true, startsAt: true, serviceRequest: { select: { prestation: { select: { pricingUnit: true } } } }, timeEntries: { select: { minutesWorked: true, absent: true } } },
    });
    if (input.outcome === "CORRECT" && intervention.serviceRequest.prestation.pricingUnit === "FLAT") {
      return { ok: false, status: 400, field: "outcome", message: "Prestation au forfait : le prix ne dépend pas des heures. Maintenez ou abandonnez la ligne." };
    }
    const recordedMinutes = workedMinutes(intervention.timeEntries).minutes;
    await tx.dispute.update({
      where: { id: disputeId },
      data: { settledAt: now, settledById: actor.userId, outcome: input.outcome, correctedMinutes: input.outcome === "CORRECT" ? input.correctedMinutes! : null, settlement: input.answer },
    });
    // The partner reads the decision in the request's thread too, where its team already talks with the Conciergerie.
    const decision = settlementText({ outcome: input.outcome, correctedMinutes: input.correctedMinutes ?? null, recordedMinutes });
    await tx.requestMessage.create({
      data: {
        requestId: intervention.requestId,
        organisationId: row.organisationId,
        authorId: actor.userId,
        body: `Contestation des heures de l'intervention du ${formatDateTime(intervention.startsAt)} : ${decision}\n${input.answer}`,
      },
    });
    await queueNotification(tx, "dispute.settled", { interventionId: row.interventionId, disputeId }, disputeId);
    await audit(
      {
        action: "dispute.settled",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: row.organisationId,
        entityType: "Dispute",
        entityId: disputeId,
        details: { interventionId: row.interventionId, decision: input.outcome, recordedMinutes, correctedMinutes: input.outcome === "CORRECT" ? input.correctedMinutes! : null },
      },
      tx,
    );
    return {
      ok: true,
      message:
        input.outcome === "WAIVE" ? "Contestation réglée : cette intervention ne sera pas facturée." : "Contestation réglée : l'intervention entrera dans la prochaine préparation des brouillons.",
    };
  });
}
