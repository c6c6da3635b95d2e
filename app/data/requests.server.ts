import { randomUUID } from "node:crypto";
import type { Prisma } from "~/generated/prisma/client.ts";
import { can, isStaffRole, type Actor } from "~/domain/access/roles.ts";
import { canChangeOnline, checkSlot, NEW_SITE, occurrenceAt, planOrder, teamSizeError, type OrderInput, type Recurrence } from "~/domain/requests/order.ts";
import { CHANGEABLE, deriveRequestStatus, type InterventionStatus, isIn, PLANNABLE, statusAfterMove } from "~/domain/requests/status.ts";
import { callCoordination } from "~/domain/requests/contact.ts";
import { parisParts, clockMinutes } from "~/domain/calendar/paris.ts";
import { audit } from "./audit.server.ts";
import { findPrestationForOrder, largestTeamsLed, listCatalogue } from "./catalogue.server.ts";
import { db, sqlRows, type Tx } from "./db.server.ts";
import { filterSitesQuery, requestListQuery, type ListCursor } from "./hot-queries.ts";
import { queueNotification } from "./notifications.server.ts";
import { addToOutbox } from "./outbox.server.ts";
import { getServiceRules } from "./settings.server.ts";
import { expandedThrough, horizonEnd } from "~/domain/requests/recurrence.ts";
import { recurrenceSpec } from "./recurrence.server.ts";
import { DOUBLE_BOOKED, isDoubleBooking, violationsOf } from "./planning.server.ts";
import { lockWeek } from "./scheduling.server.ts";
import { ruleIds } from "~/domain/planning/steering.ts";
import { parisWeekStart, toParisLocal } from "~/utils/paris-time.ts";

/** Every request query starts from this: a partner sees its own organisation, staff see all. */
function scopeOf(actor: Actor): Prisma.ServiceRequestWhereInput {
  return can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId };
}

export type RequestFilters = { status?: InterventionStatus; siteId?: string; from?: Date; to?: Date; reference?: string };

export const PAGE_SIZE = 20;

type RequestListRow = {
  id: string;
  reference: string;
  createdAt: Date;
  recurrence: Recurrence;
  teamSize: number;
  organisationName: string;
  siteName: string;
  prestationName: string;
  statuses: InterventionStatus[];
  firstDate: Date | null;
  dates: number;
};

/**
 * One page of requests, newest first (keyset pagination on createdAt, id):
 * the page after a cursor (older requests) or before it (newer ones, the
 * previous page). The partners' busiest page: one SQL query with what it
 * shows of the interventions (hot-queries.ts), scoped like scopeOf.
 */
export async function listRequests(actor: Actor, filters: RequestFilters, cursor?: ListCursor) {
  const scope = can(actor.role, "requests.viewAll") ? null : actor.organisationId;
  const rows = await sqlRows<RequestListRow>(requestListQuery(scope, filters, cursor, PAGE_SIZE + 1));
  const backwards = cursor?.direction === "before";
  // Rows come newest first; the one read beyond the page is the oldest (going forward) or the newest (going back).
  const more = rows.length > PAGE_SIZE;
  const page = backwards ? rows.slice(more ? 1 : 0) : rows.slice(0, PAGE_SIZE);
  const first = page[0];
  const last = page[page.length - 1];
  const position = (r: RequestListRow | undefined) => (r ? { createdAt: r.createdAt, id: r.id } : null);
  return {
    serviceRequests: page.map((r) => ({
      id: r.id,
      reference: r.reference,
      createdAt: r.createdAt,
      recurrence: r.recurrence,
      teamSize: r.teamSize,
      organisation: { name: r.organisationName },
      site: { name: r.siteName },
      prestation: { name: r.prestationName },
      status: deriveRequestStatus(r.statuses),
      firstDate: r.firstDate,
      dates: r.dates,
    })),
    // Older requests exist beyond a page read forward with one more row, and always beyond a page read back from a cursor.
    nextCursor: (backwards ? page.length > 0 : more) ? position(last) : null,
    // Newer ones: before any page read after a cursor, and before a page read back with one more row.
    prevCursor: (backwards ? more : Boolean(cursor)) ? position(first) : null,
  };
}

/** A request the actor may see, or null (another organisation's request is "not found"). */
export async function getRequest(actor: Actor, id: string) {
  const serviceRequest = await db().serviceRequest.findFirst({
    where: { AND: [{ id }, scopeOf(actor)] },
    select: {
      id: true,
      reference: true,
      createdAt: true,
      recurrence: true,
      recurrenceUntil: true,
      recurrenceCount: true,
      recurrenceFirstDate: true,
      recurrenceStartMinute: true,
      recurrenceExpandedUntil: true,
      recurrenceEndedAt: true,
      durationMinutes: true,
      teamSize: true,
      startWindowMinutes: true,
      purchaseOrderNumber: true,
      accessInstructions: true,
      notes: true,
      unitPriceCents: true,
      vatRateBasisPoints: true,
      quoteAcceptedAt: true,
      acceptedAt: true,
      declinedAt: true,
      declineReason: true,
      organisation: { select: { name: true, requiresValidation: true, billingAddress: true } },
      site: { select: { name: true, address: true, postalCode: true, city: true } },
      prestation: { select: { name: true, pricingUnit: true, minNoticeDays: true } },
      createdBy: { select: { name: true } },
      interventions: {
        orderBy: { startsAt: "asc" },
        select: {
          id: true,
          startsAt: true,
          latestStartAt: true,
          durationMinutes: true,
          participantsNeeded: true,
          status: true,
          cancelledAt: true,
          cancelReason: true,
          // Partners see the encadrant's name and the team size, never the people.
          supervisor: { select: { firstName: true, lastName: true } },
          _count: { select: { assignments: true } },
        },
      },
      messages: {
        orderBy: { createdAt: "asc" },
        take: 200,
        select: { id: true, body: true, createdAt: true, author: { select: { name: true, membership: { select: { role: true } } } } },
      },
    },
  });
  if (!serviceRequest) return null;
  const { messages, ...rest } = serviceRequest;
  return {
    ...rest,
    status: deriveRequestStatus(serviceRequest.interventions.map((i) => i.status)),
    messages: messages.map((m) => ({
      id: m.id,
      body: m.body,
      createdAt: m.createdAt,
      authorName: m.author?.name ?? "Compte supprimé",
      fromConciergerie: m.author?.membership ? isStaffRole(m.author.membership.role) : false,
    })),
  };
}

export async function listSitesForFilter(actor: Actor) {
  const rows = await sqlRows<{ id: string; name: string; organisationName: string }>(filterSitesQuery(can(actor.role, "requests.viewAll") ? null : actor.organisationId));
  return rows.map((s) => ({ id: s.id, name: s.name, organisation: { name: s.organisationName } }));
}

// ------------------------------------------------------------------ ordering

/** The actor's own sites, for the order form. */
/** What the order form shows: the partner's sites, the catalogue at its prices, its settings and the service rules. */
export async function orderForm(actor: Actor, wantedPrestationId: string | null) {
  const [sites, prestations, organisation, rules, teamsLed] = await Promise.all([listOrderSites(actor), listCatalogue(actor), getOrganisationSettings(actor), getServiceRules(), largestTeamsLed()]);
  return {
    // A new key for each display of the form: sending it twice makes one request.
    submissionKey: randomUUID(),
    sites,
    prestations: prestations.map((p) => ({
      id: p.id,
      name: p.name,
      pricingUnit: p.pricingUnit,
      priceCents: p.priceCents,
      vatRateBasisPoints: p.vatRateBasisPoints,
      minNoticeDays: p.minNoticeDays,
      defaultDurationMinutes: p.defaultDurationMinutes,
      defaultTeamSize: p.defaultTeamSize,
      // The largest team an encadrant of this prestation may lead: the form says so before the order is sent.
      largestTeamLed: teamsLed.get(p.id) ?? null,
    })),
    selectedPrestation: prestations.some((p) => p.id === wantedPrestationId) ? wantedPrestationId : null,
    requiresPurchaseOrder: organisation.requiresPurchaseOrder,
    rules: { openingHours: rules.openingHours, closureDays: rules.closureDays, teamSize: rules.teamSize },
  };
}

export async function listOrderSites(actor: Actor) {
  return db().site.findMany({
    where: { organisationId: actor.organisationId, archivedAt: null },
    select: { id: true, name: true, address: true, postalCode: true, city: true },
    orderBy: { name: "asc" },
  });
}

export async function getOrganisationSettings(actor: Actor) {
  return db().organisation.findUniqueOrThrow({
    where: { id: actor.organisationId },
    select: { name: true, requiresPurchaseOrder: true, requiresValidation: true },
  });
}

export type OrderResult = { ok: true; id: string; duplicate: boolean } | { ok: false; errors: Record<string, string> };

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

async function existingSubmission(actor: Actor, submissionKey: string): Promise<OrderResult | null> {
  const existing = await db().serviceRequest.findUnique({ where: { submissionKey }, select: { id: true, organisationId: true } });
  if (!existing) return null;
  if (existing.organisationId !== actor.organisationId) return { ok: false, errors: { form: "Ce formulaire a déjà servi. Rechargez la page et recommencez." } };
  return { ok: true, id: existing.id, duplicate: true };
}

/**
 * Creates a request and its dated interventions (SUBMITTED) from the order
 * form, with the price in force now copied on it. The same form sent twice
 * (double click, resend) finds the request of the first send.
 */
export async function createRequest(actor: Actor, input: OrderInput, now = new Date()): Promise<OrderResult> {
  const first = await existingSubmission(actor, input.submissionKey);
  if (first) return first;
  const [rules, organisation, prestation, teamsLed] = await Promise.all([
    getServiceRules(),
    db().organisation.findUniqueOrThrow({ where: { id: actor.organisationId }, select: { requiresPurchaseOrder: true } }),
    findPrestationForOrder(actor.organisationId, input.prestationId, now),
    largestTeamsLed(input.prestationId),
  ]);
  const errors: Record<string, string> = {};
  if (!prestation) errors.prestationId = "Choisissez une prestation du catalogue.";
  let siteId: string | null = null;
  if (input.siteId !== NEW_SITE) {
    const site = await db().site.findFirst({ where: { id: input.siteId, organisationId: actor.organisationId, archivedAt: null }, select: { id: true } });
    if (!site) errors.siteId = "Choisissez un de vos sites, ou ajoutez-en un.";
    else siteId = site.id;
  }
  const plan = planOrder(input, {
    now,
    rules,
    minNoticeDays: prestation?.minNoticeDays ?? 0,
    teamSize: { ...rules.teamSize, largestLed: prestation ? (teamsLed.get(prestation.id) ?? null) : null },
    requiresPurchaseOrder: organisation.requiresPurchaseOrder,
  });
  if (!plan.ok) Object.assign(errors, { ...plan.errors, ...errors });
  else if (plan.occurrences.length === 0) errors.date = "Toutes les dates de cette série tombent un jour de fermeture : choisissez d'autres dates.";
  if (Object.keys(errors).length > 0 || !plan.ok || !prestation) return { ok: false, errors };
  // A series is created up to the rolling horizon (always with its first date);
  // the daily job (app/data/series.server.ts) creates the next ones as time goes.
  const recurring = input.recurrence !== "NONE";
  const lastDate = plan.occurrences[plan.occurrences.length - 1]!.date;
  const recurrence = recurring
    ? recurrenceSpec({
        recurrence: input.recurrence,
        recurrenceCount: input.recurrenceCount,
        recurrenceUntil: new Date(`${lastDate}T00:00:00Z`),
        durationMinutes: input.durationMinutes,
        startWindowMinutes: plan.windowMinutes,
        recurrenceFirstDate: new Date(`${input.date}T00:00:00Z`),
        recurrenceStartMinute: clockMinutes(input.startTime),
      })
    : null;
  const expandedUntil = recurrence ? expandedThrough(recurrence, horizonEnd(now, rules.recurrenceHorizonWeeks)) : null;
  const initial = expandedUntil ? plan.occurrences.filter((o) => o.date <= expandedUntil) : plan.occurrences;

  try {
    const id = await db().$transaction(async (tx) => {
      if (!siteId) {
        const site = await tx.site.create({
          data: { organisationId: actor.organisationId, name: input.siteName!, address: input.siteAddress!, postalCode: input.sitePostalCode!, city: input.siteCity! },
        });
        siteId = site.id;
        await audit({ action: "site.created", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Site", entityId: site.id }, tx);
      }
      // Written under a provisional reference (never seen outside this
      // transaction); the number comes last, so the lock that keeps numbers
      // gapless is held for two statements rather than for every insert.
      const serviceRequest = await tx.serviceRequest.create({
        data: {
          reference: `PENDING-${randomUUID()}`,
          organisationId: actor.organisationId,
          siteId,
          prestationId: prestation.id,
          createdById: actor.userId,
          durationMinutes: input.durationMinutes,
          teamSize: input.teamSize,
          recurrence: input.recurrence,
          recurrenceCount: input.recurrenceCount,
          recurrenceUntil: recurring ? new Date(`${lastDate}T00:00:00Z`) : null,
          recurrenceFirstDate: recurring ? new Date(`${input.date}T00:00:00Z`) : null,
          recurrenceStartMinute: recurring ? clockMinutes(input.startTime) : null,
          recurrenceExpandedUntil: expandedUntil ? new Date(`${expandedUntil}T00:00:00Z`) : null,
          purchaseOrderNumber: input.purchaseOrderNumber,
          accessInstructions: input.accessInstructions,
          notes: input.notes,
          unitPriceCents: prestation.priceCents,
          vatRateBasisPoints: prestation.vatRateBasisPoints,
          startWindowMinutes: plan.windowMinutes,
          submissionKey: input.submissionKey,
          interventions: {
            create: initial.map((o) => ({
              organisationId: actor.organisationId,
              occurrenceDate: new Date(`${o.date}T00:00:00Z`),
              siteId: siteId!,
              startsAt: o.startsAt,
              endsAt: o.endsAt,
              latestStartAt: o.latestStartAt,
              durationMinutes: input.durationMinutes,
              participantsNeeded: input.teamSize,
              status: "SUBMITTED" as const,
            })),
          },
        },
        select: { id: true },
      });
      await audit(
        {
          action: "request.submitted",
          outcome: "ok",
          actorUserId: actor.userId,
          organisationId: actor.organisationId,
          entityType: "ServiceRequest",
          entityId: serviceRequest.id,
          details: { interventions: initial.length, planned: plan.occurrences.length, skipped: plan.skipped.map((s) => s.date) },
        },
        tx,
      );
      await queueNotification(tx, "request.received", { requestId: serviceRequest.id }, "submitted");
      await tx.serviceRequest.update({ where: { id: serviceRequest.id }, data: { reference: await nextReference(tx, now) }, select: { id: true } });
      return serviceRequest.id;
    });
    return { ok: true, id, duplicate: false };
  } catch (error) {
    // Two sends of the same form at once: the unique submissionKey let one through.
    if (isUniqueViolation(error)) {
      const again = await existingSubmission(actor, input.submissionKey);
      if (again) return again;
    }
    throw error;
  }
}

/** "DEM-2026-00042": the next number of the year, taken under a transaction lock. */
async function nextReference(tx: Tx, now: Date) {
  const year = parisParts(now).date.slice(0, 4);
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('service-request-reference'))`;
  // A range on the unique index (not a pattern over the whole table): the last
  // number of the year is one index step away, however many requests there are.
  const [last] = await tx.$queryRaw<{ reference: string }[]>`
    SELECT reference FROM "ServiceRequest"
    WHERE reference >= ${`DEM-${year}-`} AND reference < ${`DEM-${year}.`} AND reference ~ ${`^DEM-${year}-[0-9]{5}$`}
    ORDER BY reference DESC LIMIT 1`;
  const n = last ? Number(last.reference.split("-")[2]) + 1 : 1;
  return `DEM-${year}-${String(n).padStart(5, "0")}`;
}

// ------------------------------------------------------------------ decisions

export type ActionResult = { ok: true; message: string } | { ok: false; status: 400 | 404 | 409; message: string; field?: string };
const NOT_FOUND: ActionResult = { ok: false, status: 404, message: "Cette demande n'existe pas ou ne vous est pas accessible." };

/** Accepted: future SUBMITTED dates become ACCEPTED and scheduling is asked, in the same transaction. */
async function acceptRequestTx(tx: Tx, actor: Actor, requestId: string, now: Date) {
  await tx.serviceRequest.update({ where: { id: requestId }, data: { acceptedAt: now, acceptedById: actor.userId } });
  await tx.intervention.updateMany({ where: { requestId, status: "SUBMITTED", startsAt: { gt: now } }, data: { status: "ACCEPTED" } });
  await addToOutbox(tx, "scheduling", "staff-request", `request-accepted:${requestId}`, { requestId });
}

/** The partner accepts the quote; without a coordinator's validation to wait for, the request goes to scheduling. */
export async function acceptQuote(actor: Actor, requestId: string, now = new Date()): Promise<ActionResult> {
  return db().$transaction(async (tx) => {
    const serviceRequest = await tx.serviceRequest.findFirst({
      where: { id: requestId, organisationId: actor.organisationId },
      select: { id: true, quoteAcceptedAt: true, declinedAt: true, organisation: { select: { requiresValidation: true } }, interventions: { select: { status: true } } },
    });
    if (!serviceRequest) return NOT_FOUND;
    if (serviceRequest.quoteAcceptedAt) return { ok: true, message: "Devis déjà accepté." };
    if (serviceRequest.declinedAt || !serviceRequest.interventions.some((i) => i.status === "SUBMITTED")) {
      return { ok: false, status: 409, message: "Ce devis ne peut plus être accepté." };
    }
    const claimed = await tx.serviceRequest.updateMany({ where: { id: requestId, quoteAcceptedAt: null }, data: { quoteAcceptedAt: now } });
    if (claimed.count !== 1) return { ok: true, message: "Devis déjà accepté." };
    const waits = serviceRequest.organisation.requiresValidation;
    if (!waits) await acceptRequestTx(tx, actor, requestId, now);
    await audit(
      {
        action: "request.quote_accepted",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: actor.organisationId,
        entityType: "ServiceRequest",
        entityId: requestId,
        details: { waitsForValidation: waits },
      },
      tx,
    );
    return { ok: true, message: waits ? "Devis accepté. La coordination va valider votre demande." : "Devis accepté. Votre demande part en planification." };
  });
}

/** A coordinator validates or declines a request (any partner's). */
export async function decideRequest(actor: Actor, requestId: string, decision: { accept: true } | { accept: false; reason: string }, now = new Date()): Promise<ActionResult> {
  if (!can(actor.role, "requests.decide")) return NOT_FOUND;
  return db().$transaction(async (tx) => {
    const serviceRequest = await tx.serviceRequest.findFirst({
      where: { id: requestId },
      select: { id: true, organisationId: true, declinedAt: true, acceptedAt: true, interventions: { select: { id: true, status: true } } },
    });
    if (!serviceRequest) return NOT_FOUND;
    if (serviceRequest.declinedAt) return { ok: false, status: 409, message: "Cette demande est déjà refusée." };
    if (decision.accept) {
      if (!serviceRequest.interventions.some((i) => i.status === "SUBMITTED")) return { ok: false, status: 409, message: "Il n'y a plus de date à valider dans cette demande." };
      await acceptRequestTx(tx, actor, requestId, now);
      await audit({ action: "request.accepted", outcome: "ok", actorUserId: actor.userId, organisationId: serviceRequest.organisationId, entityType: "ServiceRequest", entityId: requestId }, tx);
      await queueNotification(tx, "request.accepted", { requestId }, "accepted");
      return { ok: true, message: "Demande validée : elle part en planification." };
    }
    if (!serviceRequest.interventions.some((i) => i.status === "SUBMITTED")) {
      return { ok: false, status: 409, message: "Cette demande est déjà validée : pour l'arrêter, annulez ses interventions (ou la série) une fois prévenu le partenaire." };
    }
    const open = serviceRequest.interventions.filter((i) => i.status === "SUBMITTED").map((i) => i.id);
    await tx.serviceRequest.update({ where: { id: requestId }, data: { declinedAt: now, declineReason: decision.reason } });
    await tx.assignment.deleteMany({ where: { interventionId: { in: open } } });
    await tx.intervention.updateMany({ where: { id: { in: open } }, data: { status: "DECLINED", cancelReason: decision.reason } });
    await audit({ action: "request.declined", outcome: "ok", actorUserId: actor.userId, organisationId: serviceRequest.organisationId, entityType: "ServiceRequest", entityId: requestId }, tx);
    await queueNotification(tx, "request.declined", { requestId }, "declined");
    return { ok: true, message: "Demande refusée. Le partenaire voit le motif." };
  });
}

// ------------------------------------------------------------------ changes

const planned = (s: InterventionStatus) => isIn(PLANNABLE, s);

/** A move that drops the team: it was booked for the old time, scheduling staffs the new one. */
const movedWithoutTeam = (o: { startsAt: Date; endsAt: Date; latestStartAt: Date | null }, status: InterventionStatus) => ({
  startsAt: o.startsAt,
  endsAt: o.endsAt,
  latestStartAt: o.latestStartAt,
  supervisorId: null,
  confirmedAt: null,
  status: statusAfterMove(status),
});

/** Scheduling re-staffs an intervention after each change: a new job per change. */
async function askReplan(tx: Tx, interventionId: string, now: Date) {
  await addToOutbox(tx, "scheduling", "replan-intervention", `intervention-changed:${interventionId}:${now.getTime()}`, { interventionId });
}

/** Interventions of a request the actor may change, or null when the request is out of scope. */
async function changeableRequest(tx: Tx, actor: Actor, requestId: string) {
  return tx.serviceRequest.findFirst({
    where: { AND: [{ id: requestId }, can(actor.role, "requests.decide") ? {} : { organisationId: actor.organisationId }] },
    select: {
      id: true,
      organisationId: true,
      recurrence: true,
      recurrenceEndedAt: true,
      durationMinutes: true,
      startWindowMinutes: true,
      prestation: { select: { minNoticeDays: true } },
      interventions: { select: { id: true, status: true, startsAt: true }, orderBy: { startsAt: "asc" } },
    },
  });
}

/**
 * Cancels one intervention, or every future one of the series. A partner can
 * only before the cancellation deadline; the coordination can at any time.
 */
export async function cancelInterventions(actor: Actor, requestId: string, target: { interventionId: string } | { recurrence: true }, reason: string, now = new Date()): Promise<ActionResult> {
  const rules = await getServiceRules();
  const staff = can(actor.role, "requests.decide");
  return db().$transaction(async (tx) => {
    const serviceRequest = await changeableRequest(tx, actor, requestId);
    if (!serviceRequest) return NOT_FOUND;
    if ("recurrence" in target) {
      // Serialised with the horizon job, which re-reads the request under the same lock.
      await tx.$executeRaw`SELECT 1 FROM "ServiceRequest" WHERE id = ${requestId} FOR UPDATE`;
    }
    const targets = "interventionId" in target ? serviceRequest.interventions.filter((i) => i.id === target.interventionId) : serviceRequest.interventions;
    if ("interventionId" in target && targets.length === 0) return NOT_FOUND;
    const future = targets.filter((i) => isIn(CHANGEABLE, i.status) && i.startsAt > now);
    const allowed = future.filter((i) => staff || canChangeOnline(i.startsAt, now, rules.cancellationDeadlineHours));
    // A cancelled series creates no more dates: the ones not expanded yet are cancelled with it.
    const stopsRecurrence = "recurrence" in target && serviceRequest.recurrence !== "NONE" && serviceRequest.recurrenceEndedAt === null;
    if (allowed.length === 0 && !stopsRecurrence) {
      return {
        ok: false,
        status: 409,
        message:
          future.length > 0
            ? `Moins de ${rules.cancellationDeadlineHours} heures avant l'intervention, l'annulation ne se fait plus en ligne. ${callCoordination(rules.serviceContact)}`
            : "Aucune intervention à venir à annuler.",
      };
    }
    if (stopsRecurrence) await tx.serviceRequest.update({ where: { id: requestId }, data: { recurrenceEndedAt: now } });
    for (const i of allowed) {
      await tx.assignment.deleteMany({ where: { interventionId: i.id } });
      await tx.intervention.update({ where: { id: i.id }, data: { status: "CANCELLED", cancelledAt: now, cancelReason: reason } });
      if (planned(i.status)) await askReplan(tx, i.id, now);
      await queueNotification(tx, "intervention.cancelled", { interventionId: i.id }, "cancelled");
    }
    await audit(
      {
        action: "intervention.cancelled",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: serviceRequest.organisationId,
        entityType: "ServiceRequest",
        entityId: requestId,
        details: { interventions: allowed.map((i) => i.id), recurrenceStopped: stopsRecurrence },
      },
      tx,
    );
    const late = future.length - allowed.length;
    return {
      ok: true,
      message:
        (stopsRecurrence ? "Série arrêtée : aucune nouvelle date ne sera planifiée. " : "") +
        (allowed.length === 1 ? "Intervention annulée." : `${allowed.length} interventions annulées.`) +
        (late > 0 ? ` ${late} trop proche${late > 1 ? "s" : ""} pour être annulée${late > 1 ? "s" : ""} en ligne : ${callCoordination(rules.serviceContact)}` : ""),
    };
  });
}

/**
 * Changes the start time of a series from now on: the dates to come (those
 * already created, and those the horizon will create) take the new time; past
 * dates, and dates too close to change, stay as they were.
 */
export async function changeRecurrenceTime(actor: Actor, requestId: string, startTime: string, now = new Date()): Promise<ActionResult> {
  const rules = await getServiceRules();
  const staff = can(actor.role, "requests.decide");
  return db().$transaction(async (tx) => {
    const serviceRequest = await changeableRequest(tx, actor, requestId);
    if (!serviceRequest) return NOT_FOUND;
    if (serviceRequest.recurrence === "NONE" || serviceRequest.recurrenceEndedAt) return { ok: false, status: 409, message: "Cette demande n'est pas une série en cours." };
    await tx.$executeRaw`SELECT 1 FROM "ServiceRequest" WHERE id = ${requestId} FOR UPDATE`;
    // The time itself against the opening hours (the date of each occurrence is checked below).
    const timeErrors = checkSlot(
      { date: "2000-01-03", startTime, windowMinutes: serviceRequest.startWindowMinutes, durationMinutes: serviceRequest.durationMinutes },
      { now: new Date("2000-01-01T00:00:00Z"), rules, minNoticeDays: 0 },
    );
    const timeError = timeErrors.startTime ?? timeErrors.latestStart;
    if (timeError) return { ok: false, status: 400, field: "startTime", message: timeError };
    const minutes = clockMinutes(startTime);
    await tx.serviceRequest.update({ where: { id: requestId }, data: { recurrenceStartMinute: minutes } });
    let changed = 0;
    let kept = 0;
    for (const i of serviceRequest.interventions) {
      if (!isIn(CHANGEABLE, i.status) || i.startsAt <= now) continue;
      const date = parisParts(i.startsAt).date;
      const o = occurrenceAt(date, minutes, serviceRequest.durationMinutes, serviceRequest.startWindowMinutes);
      if (o.startsAt.getTime() === i.startsAt.getTime()) continue;
      const late = !staff && !canChangeOnline(i.startsAt, now, rules.cancellationDeadlineHours);
      if (late || o.startsAt <= now) {
        kept++;
        continue;
      }
      await tx.assignment.deleteMany({ where: { interventionId: i.id } });
      await tx.intervention.update({ where: { id: i.id }, data: movedWithoutTeam(o, i.status) });
      if (planned(i.status)) await askReplan(tx, i.id, now);
      changed++;
    }
    await audit(
      {
        action: "request.series_changed",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: serviceRequest.organisationId,
        entityType: "ServiceRequest",
        entityId: requestId,
        details: { startTime, changed, kept },
      },
      tx,
    );
    return {
      ok: true,
      message:
        `Série modifiée : les prochaines dates commencent à ${startTime}.` +
        (changed > 0 ? ` ${changed} intervention${changed > 1 ? "s" : ""} déjà prévue${changed > 1 ? "s" : ""} déplacée${changed > 1 ? "s" : ""}.` : "") +
        (kept > 0 ? ` ${kept} trop proche${kept > 1 ? "s" : ""} pour changer en ligne : ${callCoordination(rules.serviceContact)}` : ""),
    };
  });
}

export type MoveOptions = {
  /** "check": every check, nothing written (the live check of the move form). */
  mode?: "check" | "save";
  /** Coordination only: keep the team at the new time although it breaks these rules (audited). */
  force?: { reason: string } | null;
};
export type MoveResult = ActionResult | { ok: false; status: 409; message: string; violations: { rule: string; message: string }[] };
const CHECKED: ActionResult = { ok: true, message: "Aucune règle enfreinte : ce déplacement peut être enregistré." };

/**
 * Moves one intervention to a new date and time: the one move of the app,
 * whoever asks. The actor's role decides which rules bind. A partner moves
 * before the cancellation deadline, at the prestation's notice; the team is
 * dropped and scheduling staffs the new time. The coordination moves any date
 * to come (within the notice period too): the team stays if the staffing rules
 * allow it at the new time, or when forced with a reason (audited, then pinned
 * whole), and the partner is told by email.
 */
export async function moveIntervention(
  actor: Actor,
  requestId: string,
  interventionId: string,
  to: { date: string; startTime: string },
  options: MoveOptions = {},
  now = new Date(),
): Promise<MoveResult> {
  const rules = await getServiceRules();
  const staff = can(actor.role, "requests.decide");
  const save = options.mode !== "check";
  try {
    return await db().$transaction(
      async (tx): Promise<MoveResult> => {
        const serviceRequest = await changeableRequest(tx, actor, requestId);
        const intervention = serviceRequest?.interventions.find((i) => i.id === interventionId);
        if (!serviceRequest || !intervention) return NOT_FOUND;
        if (!isIn(CHANGEABLE, intervention.status) || intervention.startsAt <= now) {
          return { ok: false, status: 409, message: "Cette intervention ne peut plus être déplacée." };
        }
        if (!staff && !canChangeOnline(intervention.startsAt, now, rules.cancellationDeadlineHours)) {
          return {
            ok: false,
            status: 409,
            message: `Moins de ${rules.cancellationDeadlineHours} heures avant l'intervention, elle ne se déplace plus en ligne. ${callCoordination(rules.serviceContact)}`,
          };
        }
        const errors = checkSlot(
          { date: to.date, startTime: to.startTime, windowMinutes: serviceRequest.startWindowMinutes, durationMinutes: serviceRequest.durationMinutes },
          { now, rules, minNoticeDays: serviceRequest.prestation.minNoticeDays, byCoordination: staff },
        );
        const [field, message] = Object.entries(errors)[0] ?? [];
        if (field && message) return { ok: false, status: 400, field: field === "latestStart" ? "startTime" : field, message };
        const o = occurrenceAt(to.date, clockMinutes(to.startTime), serviceRequest.durationMinutes, serviceRequest.startWindowMinutes);
        if (o.startsAt.getTime() === intervention.startsAt.getTime()) return { ok: false, status: 400, field: "date", message: "C'est déjà la date et l'heure de l'intervention." };
        const fromWeek = parisWeekStart(intervention.startsAt);
        const toWeek = parisWeekStart(o.startsAt);
        // Coordination keeps a staffed team when it can do the new time: the staffing rules decide.
        const current = staff
          ? await tx.intervention.findUniqueOrThrow({
              where: { id: interventionId },
              select: { supervisorId: true, supervisorPinned: true, assignments: { select: { participantId: true, pinned: true }, orderBy: { participantId: "asc" } } },
            })
          : null;
        const keepTeam = current?.supervisorId ? current : null;
        let violations: { rule: string; message: string }[] = [];
        if (keepTeam) {
          if (save) for (const week of [...new Set([fromWeek, toWeek])].sort()) await lockWeek(tx, week);
          const participantIds = keepTeam.assignments.map((a) => a.participantId);
          violations = await violationsOf(tx, fromWeek, {
            interventionId,
            supervisorId: keepTeam.supervisorId!,
            participantIds,
            supervisorPinned: keepTeam.supervisorPinned,
            pinnedParticipantIds: keepTeam.assignments.filter((a) => a.pinned).map((a) => a.participantId),
            start: toParisLocal(o.startsAt),
          });
          if (violations.length > 0 && !options.force) {
            const count = violations.length === 1 ? "une règle" : `${violations.length} règles`;
            return { ok: false, status: 409, message: `À cette nouvelle heure, l'équipe enfreint ${count}.`, violations };
          }
        }
        if (!save) return CHECKED;
        if (keepTeam) {
          const forced = violations.length > 0;
          await tx.intervention.update({
            where: { id: interventionId },
            data: { startsAt: o.startsAt, endsAt: o.endsAt, latestStartAt: o.latestStartAt, ...(forced ? { supervisorPinned: true } : {}) },
          });
          // The booking rows follow: the database refuses a person booked twice at once on them.
          await tx.assignment.updateMany({ where: { interventionId }, data: { startsAt: o.startsAt, endsAt: o.endsAt, ...(forced ? { pinned: true } : {}) } });
        } else {
          await tx.assignment.deleteMany({ where: { interventionId } });
          await tx.intervention.update({ where: { id: interventionId }, data: movedWithoutTeam(o, intervention.status) });
          if (planned(intervention.status)) await askReplan(tx, interventionId, now);
        }
        const base = { actorUserId: actor.userId, organisationId: serviceRequest.organisationId, entityType: "Intervention", entityId: interventionId };
        await audit(
          {
            ...base,
            action: "intervention.moved",
            outcome: "ok",
            details: { from: intervention.startsAt.toISOString(), to: o.startsAt.toISOString(), byCoordination: staff, teamKept: keepTeam !== null },
          },
          tx,
        );
        if (violations.length > 0 && options.force) await audit({ ...base, action: "planning.forced", outcome: "ok", details: { rules: ruleIds(violations), reason: options.force.reason } }, tx);
        // The partner asked for this move; a move by the coordination is news to them.
        if (staff) await queueNotification(tx, "intervention.changed", { interventionId }, `moved:${o.startsAt.toISOString()}`, intervention.startsAt);
        return {
          ok: true,
          message: !staff
            ? "Intervention déplacée."
            : keepTeam
              ? `Intervention déplacée, avec son équipe${violations.length > 0 ? " (règles forcées, raison au journal ; équipe épinglée)" : ""}. Le partenaire est prévenu par e-mail.`
              : "Intervention déplacée ; le planificateur cherche une équipe. Le partenaire est prévenu par e-mail.",
        };
      },
      { timeout: 30_000, maxWait: 15_000 },
    );
  } catch (error) {
    if (!isDoubleBooking(error)) throw error;
    return { ok: false, status: 409, message: DOUBLE_BOOKED };
  }
}

// ------------------------------------------------------------------ messages

/** Posts to a request's thread: its partner, or the coordination. */
export async function postMessage(actor: Actor, requestId: string, body: string): Promise<ActionResult> {
  const serviceRequest = await db().serviceRequest.findFirst({
    where: { AND: [{ id: requestId }, can(actor.role, "requests.decide") ? {} : { organisationId: actor.organisationId }] },
    select: { id: true, organisationId: true },
  });
  if (!serviceRequest) return NOT_FOUND;
  await db().$transaction(async (tx) => {
    const message = await tx.requestMessage.create({ data: { requestId, organisationId: serviceRequest.organisationId, authorId: actor.userId, body } });
    await audit({ action: "request.message_posted", outcome: "ok", actorUserId: actor.userId, organisationId: serviceRequest.organisationId, entityType: "RequestMessage", entityId: message.id }, tx);
    // A partner's message goes to coordination; the Conciergerie's answer to the partner's users.
    await queueNotification(tx, can(actor.role, "requests.decide") ? "message.answered" : "message.received", { requestId, messageId: message.id }, message.id);
  });
  return { ok: true, message: "Message envoyé." };
}

/**
 * The service-rule messages of a form that zod already refused for other
 * fields, so the partner reads every problem at once: the date and hours
 * (when those fields themselves read well) and the purchase order.
 */
export async function orderRuleErrors(
  actor: Actor,
  draft: { prestationId?: string; date?: string; startTime?: string; durationMinutes?: string; purchaseOrderNumber?: string; teamSize?: string },
  now = new Date(),
): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const [rules, organisation, prestation] = await Promise.all([
    getServiceRules(),
    db().organisation.findUnique({ where: { id: actor.organisationId }, select: { requiresPurchaseOrder: true } }),
    draft.prestationId && draft.prestationId.length <= 40 ? findPrestationForOrder(actor.organisationId, draft.prestationId, now) : null,
  ]);
  const team = Number(draft.teamSize);
  if (prestation && Number.isInteger(team)) {
    const message = teamSizeError(team, { ...rules.teamSize, largestLed: (await largestTeamsLed(prestation.id)).get(prestation.id) ?? null });
    if (message) errors.teamSize = message;
  }
  if (organisation?.requiresPurchaseOrder && !draft.purchaseOrderNumber?.trim()) {
    errors.purchaseOrderNumber = "Votre organisation demande un numéro de bon de commande pour chaque demande.";
  }
  const duration = Number(draft.durationMinutes);
  if (draft.date && draft.startTime && Number.isInteger(duration) && duration > 0) {
    Object.assign(errors, checkSlot({ date: draft.date, startTime: draft.startTime, windowMinutes: 0, durationMinutes: duration }, { now, rules, minNoticeDays: prestation?.minNoticeDays ?? 0 }));
  }
  return errors;
}
