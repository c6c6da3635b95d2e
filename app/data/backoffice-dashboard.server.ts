import type { Actor } from "~/domain/access/roles.ts";
import { addDays, isoWeekday } from "~/domain/calendar/holidays.ts";
import { overdueCents, PAYABLE } from "~/domain/invoicing/status.ts";
import { UPCOMING } from "~/domain/requests/status.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { parisInstant, parisParts } from "~/domain/calendar/paris.ts";
import { assertCan } from "./backoffice-access.server.ts";
import { db } from "./db.server.ts";

/** The admin dashboard's counts, as of `now` (the week is Monday to Sunday, Paris). */
export async function adminFigures(actor: Actor, now: Date) {
  assertCan(actor, "backoffice.dashboard");
  const today = parisParts(now).date;
  const monday = addDays(today, 1 - isoWeekday(today));
  const weekEnd = parisInstant(addDays(monday, 7), 0);
  const in30Days = new Date(`${addDays(today, 30)}T00:00:00Z`);
  const todayDate = new Date(`${today}T00:00:00Z`);
  const [waitingValidation, unstaffed, contractsEnding, overdue] = await Promise.all([
    db().serviceRequest.count({
      where: { acceptedAt: null, declinedAt: null, interventions: { some: { status: "SUBMITTED" } } },
    }),
    // Upcoming interventions of this week still without an encadrant or with fewer people than needed.
    db().$queryRaw<{ count: bigint }[]>`
      SELECT COUNT(*)::bigint AS count FROM "Intervention" i
      WHERE i."startsAt" >= ${now} AND i."startsAt" < ${weekEnd}
        AND i.status::text IN (${Prisma.join(UPCOMING)})
        AND (i."supervisorId" IS NULL OR (SELECT COUNT(*) FROM "Assignment" a WHERE a."interventionId" = i.id) < i."participantsNeeded")`,
    db().participant.count({ where: { anonymisedAt: null, contractEnd: { gte: todayDate, lte: in30Days } } }),
    db().invoice.findMany({
      where: { status: { in: [...PAYABLE] }, dueAt: { lt: now } },
      select: { status: true, dueAt: true, totalInclVatCents: true, payments: { select: { amountCents: true } }, creditNotes: { select: { amountCents: true } } },
    }),
  ]);
  // The finance dashboard's rule: what is still due past the due date, uncollectible included, payments and credit notes deducted.
  const overdueAmounts = overdue
    .map((i) => overdueCents({ ...i, paidCents: i.payments.reduce((s, p) => s + p.amountCents, 0), creditedCents: i.creditNotes.reduce((s, c) => s + c.amountCents, 0) }, now))
    .filter((cents) => cents > 0);
  return {
    waitingValidation,
    unstaffedThisWeek: Number(unstaffed[0]?.count ?? 0),
    contractsEnding,
    overdueInvoices: overdueAmounts.length,
    overdueCents: overdueAmounts.reduce((a, b) => a + b, 0),
  };
}
