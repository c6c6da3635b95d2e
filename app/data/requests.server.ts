import type { Prisma } from "~/generated/prisma/client.ts";
import { can, type Actor } from "~/domain/access/roles.ts";
import { deriveRequestStatus, type InterventionStatus } from "~/domain/requests/status.ts";
import { db } from "./db.server.ts";

/** Every request query starts from this: a partner sees its own organisation, staff see all. */
function scopeOf(actor: Actor): Prisma.ServiceRequestWhereInput {
  return can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId };
}

export type RequestFilters = { status?: InterventionStatus; siteId?: string; from?: Date; to?: Date };

export const PAGE_SIZE = 20;

/** One page of requests, newest first (keyset pagination on createdAt, id). */
export async function listRequests(actor: Actor, filters: RequestFilters, cursor?: { createdAt: Date; id: string }) {
  const where: Prisma.ServiceRequestWhereInput = {
    AND: [
      scopeOf(actor),
      filters.siteId ? { siteId: filters.siteId } : {},
      filters.status ? { interventions: { some: { status: filters.status } } } : {},
      filters.from || filters.to
        ? { interventions: { some: { startsAt: { gte: filters.from, lt: filters.to } } } }
        : {},
      cursor
        ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
        : {},
    ],
  };
  const rows = await db().serviceRequest.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      reference: true,
      createdAt: true,
      recurrence: true,
      teamSize: true,
      organisation: { select: { name: true } },
      site: { select: { name: true } },
      prestation: { select: { name: true } },
      interventions: { select: { status: true, startsAt: true }, orderBy: { startsAt: "asc" } },
    },
  });
  const page = rows.slice(0, PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    requests: page.map(({ interventions, ...r }) => ({
      ...r,
      status: deriveRequestStatus(interventions.map((i) => i.status)),
      firstDate: interventions[0]?.startsAt ?? null,
      dates: interventions.length,
    })),
    nextCursor: rows.length > PAGE_SIZE && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** A request the actor may see, or null (another organisation's request is "not found"). */
export async function getRequest(actor: Actor, id: string) {
  const request = await db().serviceRequest.findFirst({
    where: { AND: [{ id }, scopeOf(actor)] },
    select: {
      id: true,
      reference: true,
      createdAt: true,
      recurrence: true,
      recurrenceUntil: true,
      durationMinutes: true,
      teamSize: true,
      purchaseOrderNumber: true,
      accessInstructions: true,
      notes: true,
      unitPriceCents: true,
      vatRateBasisPoints: true,
      declineReason: true,
      organisation: { select: { name: true } },
      site: { select: { name: true, address: true, postalCode: true, city: true } },
      prestation: { select: { name: true, pricingUnit: true } },
      interventions: {
        orderBy: { startsAt: "asc" },
        select: {
          id: true,
          startsAt: true,
          durationMinutes: true,
          workersNeeded: true,
          status: true,
          cancelReason: true,
          // Partners see the encadrant's name and the team size, never the people.
          supervisor: { select: { firstName: true, lastName: true } },
          _count: { select: { assignments: true } },
        },
      },
    },
  });
  if (!request) return null;
  return { ...request, status: deriveRequestStatus(request.interventions.map((i) => i.status)) };
}

export async function listSitesForFilter(actor: Actor) {
  return db().site.findMany({
    where: can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId },
    select: { id: true, name: true, organisation: { select: { name: true } } },
    orderBy: [{ organisation: { name: "asc" } }, { name: "asc" }],
  });
}
