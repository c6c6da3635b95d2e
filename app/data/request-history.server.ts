import { can, isStaffRole, type Actor } from "~/domain/access/roles.ts";
import type { TimelineActor, TimelineFacts } from "~/domain/requests/timeline.ts";
import { db } from "./db.server.ts";

// What happened to one request, read for its dated timeline
// (app/domain/requests/timeline.ts words it, per reader).

/** Audit actions the timeline tells (the rest stays in the audit log). */
const TOLD = ["intervention.moved", "intervention.cancelled", "request.series_changed"];

/**
 * The facts of a request's history, or null when the actor may not see the
 * request (scoped like getRequest). Messages come from the request already read.
 */
export async function requestHistoryFacts(actor: Actor, requestId: string, messages: TimelineFacts["messages"]): Promise<TimelineFacts | null> {
  const serviceRequest = await db().serviceRequest.findFirst({
    where: { id: requestId, ...(can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId }) },
    select: {
      id: true,
      createdAt: true,
      createdById: true,
      quoteAcceptedAt: true,
      acceptedAt: true,
      acceptedById: true,
      declinedAt: true,
      declineReason: true,
      recurrenceEndedAt: true,
      interventions: {
        orderBy: { startsAt: "asc" },
        select: {
          id: true,
          startsAt: true,
          endsAt: true,
          status: true,
          confirmedAt: true,
          cancelledAt: true,
          cancelReason: true,
          unstaffedReason: true,
          updatedAt: true,
          participantsNeeded: true,
          supervisor: { select: { firstName: true, lastName: true } },
          report: { select: { createdAt: true } },
          timeEntries: { where: { checkOutAt: { not: null } }, select: { checkOutAt: true }, orderBy: { checkOutAt: "desc" }, take: 1 },
          disputes: { select: { id: true, openedAt: true, settledAt: true } },
        },
      },
    },
  });
  if (!serviceRequest) return null;
  const interventionIds = serviceRequest.interventions.map((i) => i.id);
  // Issued invoices (and statements) that billed one of its dates, the voided ones too.
  const lines = await db().invoiceLine.findMany({
    where: { interventionId: { in: interventionIds }, invoice: { number: { not: null } } },
    select: { interventionId: true, invoice: { select: { id: true, number: true, kind: true, status: true, issuedAt: true, paidAt: true, updatedAt: true } } },
  });
  const invoices = new Map<string, { invoice: (typeof lines)[number]["invoice"]; interventions: Set<string> }>();
  for (const l of lines) {
    const entry = invoices.get(l.invoice.id) ?? { invoice: l.invoice, interventions: new Set<string>() };
    entry.interventions.add(l.interventionId!);
    invoices.set(l.invoice.id, entry);
  }
  const invoiceIds = [...invoices.keys()];
  const audit = await db().auditLog.findMany({
    where: {
      outcome: "ok",
      OR: [
        { entityType: "ServiceRequest", entityId: serviceRequest.id, action: { in: TOLD } },
        { entityType: "Intervention", entityId: { in: interventionIds }, action: { in: TOLD } },
        ...(invoiceIds.length ? [{ entityType: "Invoice", entityId: { in: invoiceIds }, action: { in: ["invoice.void", "invoice.status_changed"] } }] : []),
      ],
    },
    orderBy: { at: "asc" },
    take: 1000,
    select: { at: true, action: true, entityId: true, actorUserId: true, details: true },
  });
  const userIds = [...new Set([serviceRequest.createdById, serviceRequest.acceptedById, ...audit.map((a) => a.actorUserId)].filter((v): v is string => !!v))];
  const users = new Map(
    (await db().user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, membership: { select: { role: true } } } })).map((u) => [
      u.id,
      { name: u.name, staff: u.membership ? isStaffRole(u.membership.role) : false } satisfies TimelineActor,
    ]),
  );
  const who = (id: string | null): TimelineActor => (id ? (users.get(id) ?? null) : null);
  const voidedAt = (invoiceId: string) =>
    audit.find((a) => a.entityId === invoiceId && (a.action === "invoice.void" || (a.action === "invoice.status_changed" && (a.details as { to?: string } | null)?.to === "VOID")))?.at ?? null;

  return {
    requestId: serviceRequest.id,
    serviceRequest: {
      createdAt: serviceRequest.createdAt,
      createdBy: who(serviceRequest.createdById),
      quoteAcceptedAt: serviceRequest.quoteAcceptedAt,
      acceptedAt: serviceRequest.acceptedAt,
      acceptedBy: who(serviceRequest.acceptedById),
      declinedAt: serviceRequest.declinedAt,
      declineReason: serviceRequest.declineReason,
      recurrenceEndedAt: serviceRequest.recurrenceEndedAt,
    },
    interventions: serviceRequest.interventions.map((i) => ({
      id: i.id,
      startsAt: i.startsAt,
      status: i.status,
      confirmedAt: i.confirmedAt,
      cancelledAt: i.cancelledAt,
      cancelReason: i.cancelReason,
      unstaffedReason: i.unstaffedReason,
      updatedAt: i.updatedAt,
      // Done when the encadrant wrote the report (else the last departure, else its planned end).
      doneAt: i.report?.createdAt ?? i.timeEntries[0]?.checkOutAt ?? i.endsAt,
      supervisor: i.supervisor ? `${i.supervisor.firstName} ${i.supervisor.lastName}` : null,
      participantsNeeded: i.participantsNeeded,
    })),
    audit: audit
      .filter((a) => a.action !== "invoice.void" && a.action !== "invoice.status_changed")
      .map((a) => ({ at: a.at, action: a.action, entityId: a.entityId, actor: who(a.actorUserId), details: a.details })),
    invoices: [...invoices.values()].map(({ invoice, interventions }) => ({
      id: invoice.id,
      number: invoice.number!,
      statement: invoice.kind === "INTERNAL_STATEMENT",
      issuedAt: invoice.issuedAt,
      paidAt: invoice.paidAt,
      voidedAt: invoice.status === "VOID" ? (voidedAt(invoice.id) ?? invoice.updatedAt) : null,
      interventions: interventions.size,
    })),
    disputes: serviceRequest.interventions.flatMap((i) => i.disputes.map((d) => ({ id: d.id, interventionId: i.id, openedAt: d.openedAt, settledAt: d.settledAt }))),
    messages,
  };
}
