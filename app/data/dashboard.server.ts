import { can, type Actor } from "~/domain/access/roles.ts";
import { monthOf } from "~/domain/invoicing/period.ts";
import { db } from "./db.server.ts";
import { insertionMinutesSince, yearBounds } from "./impact.server.ts";
import { AWAITING_TEAM, UPCOMING } from "~/domain/requests/status.ts";

/** The home page's figures for the actor: their organisation's, or every partner's for staff. */
export async function homeFigures(actor: Actor, now: Date) {
  const scope = can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId };
  const year = Number(monthOf(now).slice(0, 4));
  const weekAhead = new Date(now.getTime() + 7 * 24 * 60 * 60 * 1000);
  const [upcoming, waiting, unstaffed, doneMinutes] = await Promise.all([
    db().intervention.findMany({
      where: { ...scope, startsAt: { gte: now }, status: { in: [...UPCOMING] } },
      orderBy: { startsAt: "asc" },
      take: 5,
      select: {
        id: true,
        startsAt: true,
        durationMinutes: true,
        participantsNeeded: true,
        status: true,
        requestId: true,
        site: { select: { name: true } },
        serviceRequest: { select: { reference: true, prestation: { select: { name: true } } } },
      },
    }),
    db().intervention.count({ where: { ...scope, status: "SUBMITTED" } }),
    db().intervention.count({
      where: { ...scope, startsAt: { gte: now, lt: weekAhead }, status: { in: [...AWAITING_TEAM] } },
    }),
    // Hours of work in insertion given by the organisation's orders this year: the certificate's rule.
    insertionMinutesSince(yearBounds(year).from, yearBounds(year).to, scope.organisationId),
  ]);
  return { upcoming, waiting, unstaffed, insertionMinutesThisYear: doneMinutes };
}
