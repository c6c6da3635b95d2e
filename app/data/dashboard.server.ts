import { can, type Actor } from "~/domain/access/roles.ts";
import { db } from "./db.server.ts";

/** The home page's figures for the actor: their organisation's, or every partner's for staff. */
export async function homeFigures(actor: Actor, now: Date) {
  const scope = can(actor.role, "requests.viewAll") ? {} : { organisationId: actor.organisationId };
  const weekAhead = new Date(now.getTime() + 7 * 24 * 60 * 60 * 1000);
  const [upcoming, waiting, unstaffed, doneMinutes] = await Promise.all([
    db().intervention.findMany({
      where: { ...scope, startsAt: { gte: now }, status: { in: ["SCHEDULED", "ACCEPTED", "SUBMITTED"] } },
      orderBy: { startsAt: "asc" },
      take: 5,
      select: {
        id: true,
        startsAt: true,
        durationMinutes: true,
        workersNeeded: true,
        status: true,
        requestId: true,
        site: { select: { name: true } },
        request: { select: { reference: true, prestation: { select: { name: true } } } },
      },
    }),
    db().intervention.count({ where: { ...scope, status: "SUBMITTED" } }),
    db().intervention.count({
      where: { ...scope, startsAt: { gte: now, lt: weekAhead }, status: { in: ["SUBMITTED", "ACCEPTED"] } },
    }),
    // Hours of work in insertion given by the organisation's orders this year.
    db().$queryRaw<{ minutes: bigint | null }[]>`
      SELECT SUM("durationMinutes" * "workersNeeded")::bigint AS minutes FROM "Intervention"
      WHERE status IN ('DONE','INVOICED','PAID')
        AND "startsAt" >= date_trunc('year', ${now}::timestamptz)
        AND (${scope.organisationId ?? null}::text IS NULL OR "organisationId" = ${scope.organisationId ?? null})`,
  ]);
  return { upcoming, waiting, unstaffed, insertionMinutesThisYear: Number(doneMinutes[0]?.minutes ?? 0) };
}
