import type { Actor } from "~/domain/access/roles.ts";
import type { CalendarEvent } from "~/domain/ical/ics.ts";
import { randomToken, sha256 } from "~/utils/tokens.server.ts";
import { audit } from "./audit.server.ts";
import { db } from "./db.server.ts";
import { NEVER_ACCEPTED, STAFFED } from "~/domain/requests/status.ts";
import { accessNoteOf } from "~/domain/planning/sheet-pdf.ts";
import { formatCount } from "~/utils/format.ts";

// The iCalendar feeds behind a secret URL, a partner's and an encadrant's
// (calendar apps cannot sign in): the token is stored hashed, shown once, and a
// new one replaces (revokes) the old. Both feeds give the same shape, written
// by the one ICS builder (app/domain/ical/ics.ts).

export type CalendarFeed = { name: string; events: CalendarEvent[] };

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
export async function calendarFeed(token: string, now = new Date()): Promise<CalendarFeed | null> {
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
      participantsNeeded: true,
      updatedAt: true,
      supervisor: { select: { firstName: true, lastName: true } },
      site: { select: { name: true, address: true, postalCode: true, city: true } },
      serviceRequest: { select: { reference: true, prestation: { select: { name: true } } } },
    },
  });
  return {
    name: `${org.name} — La Conciergerie Solidaire`,
    events: interventions.map((i) => ({
      uid: `${i.id}@conciergerie-solidaire`,
      startsAt: i.startsAt,
      endsAt: i.endsAt,
      summary: `${i.serviceRequest.prestation.name} (${i.serviceRequest.reference})`,
      location: `${i.site.name}, ${i.site.address}, ${i.site.postalCode} ${i.site.city}`,
      description: `Équipe de ${i.participantsNeeded} personnes en insertion${i.supervisor ? `, encadrant : ${i.supervisor.firstName} ${i.supervisor.lastName}` : ""}.`,
      cancelled: i.status === "CANCELLED",
      updatedAt: i.updatedAt,
    })),
  };
}

// ------------------------------------------------------------------ an encadrant's feed

/** A new secret address for the encadrant's ICS feed; the old one stops working. Shown once. */
export async function regenerateCalendarToken(actor: Actor, supervisorId: string) {
  const token = randomToken(24);
  await db().supervisor.update({ where: { id: supervisorId }, data: { calendarTokenHash: sha256(token) } });
  await audit({ action: "calendar.token_regenerated", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "Supervisor", entityId: supervisorId });
  return token;
}

/**
 * The encadrant's planning behind the feed's secret, or null when the token is
 * unknown or the encadrant inactive: a month back, three months ahead. Team
 * size only: a synced calendar leaves the app, the people's names stay in it.
 */
export async function encadrantCalendarFeed(token: string, now = new Date()): Promise<CalendarFeed | null> {
  if (token.length < 16 || token.length > 100) return null;
  const supervisor = await db().supervisor.findUnique({ where: { calendarTokenHash: sha256(token) }, select: { id: true, firstName: true, lastName: true, active: true } });
  if (!supervisor?.active) return null;
  const interventions = await db().intervention.findMany({
    where: { supervisorId: supervisor.id, status: { notIn: [...NEVER_ACCEPTED] }, startsAt: { gte: new Date(now.getTime() - 31 * 86_400_000), lt: new Date(now.getTime() + 92 * 86_400_000) } },
    orderBy: { startsAt: "asc" },
    select: {
      id: true,
      startsAt: true,
      endsAt: true,
      status: true,
      site: { select: { name: true, address: true, postalCode: true, city: true, accessNotes: true } },
      serviceRequest: { select: { accessInstructions: true, prestation: { select: { name: true } } } },
      participantsNeeded: true,
    },
  });
  return {
    name: `Conciergerie Solidaire, ${supervisor.firstName} ${supervisor.lastName}`,
    events: interventions.map((i) => {
      // The order's own access note ("Badge à retirer… M. Martin") before the site's usual one.
      const access = accessNoteOf(i.serviceRequest.accessInstructions, i.site.accessNotes);
      return {
        uid: `${i.id}@conciergerie-solidaire`,
        startsAt: i.startsAt,
        endsAt: i.endsAt,
        summary: `${i.serviceRequest.prestation.name} · ${i.site.name}`,
        location: `${i.site.address}, ${i.site.postalCode} ${i.site.city}`,
        description: `Équipe de ${formatCount(i.participantsNeeded, "personne")}.${access ? ` Accès : ${access}` : ""}`,
        cancelled: i.status === "CANCELLED",
      };
    }),
  };
}
