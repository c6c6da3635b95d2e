import type { Actor } from "~/domain/access/roles.ts";
import type { CalendarEvent } from "~/domain/ical/ics.ts";
import { randomToken, sha256 } from "~/utils/tokens.server.ts";
import { audit } from "./audit.server.ts";
import { db } from "./db.server.ts";
import { STAFFED } from "~/domain/requests/status.ts";

// A partner's calendar feed behind a secret URL: the token is stored hashed,
// shown once, and a new one replaces (revokes) the old.

export async function hasCalendarFeed(actor: Actor) {
  const org = await db().organisation.findUniqueOrThrow({ where: { id: actor.organisationId }, select: { calendarTokenHash: true } });
  return org.calendarTokenHash !== null;
}

export async function createCalendarFeed(actor: Actor): Promise<string> {
  const token = randomToken(24);
  await db().$transaction(async (tx) => {
    await tx.organisation.update({ where: { id: actor.organisationId }, data: { calendarTokenHash: sha256(token) } });
    await audit({ action: "calendar.created", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Organisation", entityId: actor.organisationId }, tx);
  });
  return token;
}

export async function revokeCalendarFeed(actor: Actor) {
  await db().$transaction(async (tx) => {
    await tx.organisation.update({ where: { id: actor.organisationId }, data: { calendarTokenHash: null } });
    await audit({ action: "calendar.revoked", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Organisation", entityId: actor.organisationId }, tx);
  });
}

/** The feed's events, or null when the token is unknown or revoked. From 60 days back, all upcoming. */
export async function calendarFeed(token: string, now = new Date()): Promise<{ name: string; events: CalendarEvent[] } | null> {
  const org = await db().organisation.findUnique({ where: { calendarTokenHash: sha256(token) }, select: { id: true, name: true } });
  if (!org) return null;
  const interventions = await db().intervention.findMany({
    where: {
      organisationId: org.id,
      startsAt: { gte: new Date(now.getTime() - 60 * 24 * 3600 * 1000) },
      status: { in: [...STAFFED, "CANCELLED"] },
    },
    orderBy: { startsAt: "asc" },
    take: 2000,
    select: {
      id: true,
      startsAt: true,
      endsAt: true,
      status: true,
      workersNeeded: true,
      updatedAt: true,
      supervisor: { select: { firstName: true, lastName: true } },
      site: { select: { name: true, address: true, postalCode: true, city: true } },
      request: { select: { reference: true, prestation: { select: { name: true } } } },
    },
  });
  return {
    name: `${org.name} — La Conciergerie Solidaire`,
    events: interventions.map((i) => ({
      uid: `${i.id}@conciergerie-solidaire`,
      startsAt: i.startsAt,
      endsAt: i.endsAt,
      summary: `${i.request.prestation.name} (${i.request.reference})`,
      location: `${i.site.name}, ${i.site.address}, ${i.site.postalCode} ${i.site.city}`,
      description: `Équipe de ${i.workersNeeded} personnes en insertion${i.supervisor ? `, encadrant : ${i.supervisor.firstName} ${i.supervisor.lastName}` : ""}.`,
      cancelled: i.status === "CANCELLED",
      updatedAt: i.updatedAt,
    })),
  };
}
