import { can, isPartnerRole, type Actor } from "~/domain/access/roles.ts";
import type { InsertionRow } from "~/domain/invoicing/impact-certificate.ts";
import { monthBounds } from "~/domain/invoicing/period.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { WORKED } from "~/domain/requests/status.ts";
import { db, readLagTolerant } from "./db.server.ts";

// Hours of work in insertion that partners' orders gave: the one rule behind
// the finance dashboard, the home page and the yearly certificate. Minutes
// the encadrants recorded (TimeEntry, absences excluded) on interventions
// that took place (done, invoiced or paid), by the intervention's Paris month.
// These reads tolerate a few seconds of lag: the replica when it is usable.

const worked = (from: Date, to: Date, organisationId?: string) => Prisma.sql`
  FROM "TimeEntry" t JOIN "Intervention" i ON i.id = t."interventionId"
  WHERE t.absent = false AND i.status::text IN (${Prisma.join(WORKED)}) AND i."startsAt" >= ${from} AND i."startsAt" < ${to}
    AND (${organisationId ?? null}::text IS NULL OR i."organisationId" = ${organisationId ?? null})`;

const parisMonth = Prisma.sql`to_char(i."startsAt" AT TIME ZONE 'Europe/Paris', 'YYYY-MM')`;

/** Minutes of work in insertion per partner and month (Paris). */
export async function insertionMinutesByMonth(from: Date, to: Date, organisationId?: string) {
  const rows = await readLagTolerant(
    (client) => client.$queryRaw<{ organisationId: string; name: string; month: string; minutes: bigint }[]>`
    SELECT w."organisationId", o.name, w.month, w.minutes FROM (
      SELECT i."organisationId", ${parisMonth} AS month, SUM(t."minutesWorked") AS minutes ${worked(from, to, organisationId)}
      GROUP BY 1, 2
    ) w JOIN "Organisation" o ON o.id = w."organisationId"
    ORDER BY 2, 3`,
  );
  return rows.map((r) => ({ organisationId: r.organisationId, name: r.name, month: r.month, minutes: Number(r.minutes) }));
}

/** Minutes per intervention, with its month and prestation category: the certificate's rows. */
export async function insertionByIntervention(from: Date, to: Date, organisationId: string): Promise<InsertionRow[]> {
  const rows = await readLagTolerant(
    (client) => client.$queryRaw<{ interventionId: string; month: string; category: string; minutes: bigint }[]>`
    SELECT w."interventionId", w.month, p.category, w.minutes FROM (
      SELECT i.id AS "interventionId", i."requestId", ${parisMonth} AS month, SUM(t."minutesWorked") AS minutes ${worked(from, to, organisationId)}
      GROUP BY 1, 2, 3
    ) w JOIN "ServiceRequest" r ON r.id = w."requestId" JOIN "Prestation" p ON p.id = r."prestationId"
    ORDER BY 2, 1`,
  );
  return rows.map((r) => ({ interventionId: r.interventionId, month: r.month, category: r.category, minutes: Number(r.minutes) }));
}

/** The instants of a calendar year in Paris. */
export const yearBounds = (year: number) => ({ from: monthBounds(`${year}-01`).from, to: monthBounds(`${year}-12`).to });

/**
 * What the certificate of a partner for a year needs, or null when the actor
 * may not see it: partners their own organisation only, finance any partner.
 */
export async function loadImpactCertificate(actor: Actor, organisationId: string, year: number) {
  const allowed = isPartnerRole(actor.role) ? actor.organisationId === organisationId : can(actor.role, "finance.view");
  if (!allowed) return null;
  const organisation = await db().organisation.findFirst({
    where: { id: organisationId, kind: { in: ["PARTNER", "INTERNAL"] } },
    select: { id: true, name: true, siret: true, billingAddress: true },
  });
  if (!organisation) return null;
  const { from, to } = yearBounds(year);
  return { organisation, rows: await insertionByIntervention(from, to, organisationId) };
}

/** Minutes of work in insertion between two instants, for one organisation or for all. */
export async function insertionMinutesSince(from: Date, to: Date, organisationId?: string) {
  const [row] = await db().$queryRaw<{ minutes: bigint | null }[]>`SELECT SUM(t."minutesWorked")::bigint AS minutes ${worked(from, to, organisationId)}`;
  return Number(row?.minutes ?? 0);
}
