// Demo data for invoicing: the hours the encadrants recorded for past
// interventions, and the invoices of past months (issued, most of them paid),
// so the finance screens and the partners' invoice lists show something.
// Deterministic: no randomness, no clock beyond the seed's own "today".
import type { Prisma, PrismaClient } from "../app/generated/prisma/client.ts";
import { buildDraftInvoice, formatNumber, invoiceSeries } from "../app/domain/invoicing/lines.ts";
import { WORKED } from "../app/domain/requests/status.ts";
import { firstWorkingDay, monthBounds, monthOf, parisTime, previousMonth } from "../app/domain/invoicing/period.ts";

type Db = PrismaClient | Prisma.TransactionClient;

export async function seedInvoicing(db: Db, today: Date) {
  const currentMonth = monthOf(today);
  const past = await db.intervention.findMany({
    where: { status: { in: [...WORKED] }, startsAt: { lt: today } },
    select: {
      id: true,
      startsAt: true,
      status: true,
      durationMinutes: true,
      participantsNeeded: true,
      organisationId: true,
      cancelledAt: true,
      organisation: { select: { kind: true, paymentTermsDays: true } },
      site: { select: { name: true } },
      assignments: { select: { participantId: true }, orderBy: { participantId: "asc" } },
      serviceRequest: { select: { unitPriceCents: true, vatRateBasisPoints: true, purchaseOrderNumber: true, prestation: { select: { name: true, pricingUnit: true } } } },
    },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });

  // Hours worked: mostly the planned duration, every seventh person 30 minutes less, one absence.
  const entries: Prisma.TimeEntryCreateManyInput[] = [];
  let n = 0;
  const minutesOf = new Map<string, { minutesWorked: number; absent: boolean }[]>();
  for (const i of past) {
    const list: { minutesWorked: number; absent: boolean }[] = [];
    for (const a of i.assignments) {
      n++;
      const absent = n === 5;
      const minutesWorked = absent ? 0 : n % 7 === 0 ? Math.max(30, i.durationMinutes - 30) : i.durationMinutes;
      entries.push({ interventionId: i.id, participantId: a.participantId, minutesWorked, absent, checkInAt: i.startsAt, checkOutAt: new Date(i.startsAt.getTime() + minutesWorked * 60_000) });
      list.push({ minutesWorked, absent });
    }
    minutesOf.set(i.id, list);
  }
  await db.timeEntry.createMany({ data: entries });

  // This month's work waits for the next run: only whole past months are invoiced.
  await db.intervention.updateMany({
    where: { id: { in: past.filter((i) => monthOf(i.startsAt) >= currentMonth && i.status !== "DONE").map((i) => i.id) } },
    data: { status: "DONE" },
  });

  // One invoice per partner and past month, numbered in order of issue.
  const groups = new Map<string, typeof past>();
  for (const i of past) {
    if (i.organisation.kind !== "PARTNER" || i.status === "DONE" || monthOf(i.startsAt) >= currentMonth) continue;
    const key = `${monthOf(i.startsAt)}|${i.organisationId}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const counters = new Map<string, number>();
  for (const key of [...groups.keys()].sort()) {
    const items = groups.get(key)!;
    const [month, organisationId] = key.split("|") as [string, string];
    const draft = buildDraftInvoice(
      items.map((i) => ({
        id: i.id,
        startsAt: i.startsAt,
        status: "DONE" as const,
        cancelledAt: null,
        siteName: i.site.name,
        prestationName: i.serviceRequest.prestation.name,
        pricingUnit: i.serviceRequest.prestation.pricingUnit,
        unitPriceCents: i.serviceRequest.unitPriceCents,
        vatRateBasisPoints: i.serviceRequest.vatRateBasisPoints,
        purchaseOrderNumber: i.serviceRequest.purchaseOrderNumber,
        durationMinutes: i.durationMinutes,
        participantsNeeded: i.participantsNeeded,
        timeEntries: minutesOf.get(i.id) ?? [],
        openDispute: false,
      })),
      { cancellationDeadlineHours: 48, lateCancellationFeePercent: 50 },
    );
    if (draft.lines.length === 0) continue;
    const [y, m] = month.split("-").map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
    const [ny, nm, nd] = firstWorkingDay(next).split("-").map(Number) as [number, number, number];
    const issuedAt = parisTime(ny, nm, nd, 9);
    const series = invoiceSeries(ny);
    const seq = (counters.get(series) ?? 0) + 1;
    counters.set(series, seq);
    const dueAt = new Date(issuedAt.getTime() + items[0]!.organisation.paymentTermsDays * 86_400_000);
    // Last month's invoices, issued this month, are still open; older ones are paid. So the
    // demo always has open invoices, whatever today is.
    const paid = month < previousMonth(currentMonth);
    await db.intervention.updateMany({ where: { id: { in: items.map((i) => i.id) } }, data: { status: paid ? "PAID" : "INVOICED" } });
    const { periodStart, periodEnd } = monthBounds(month);
    await db.invoice.create({
      data: {
        organisationId,
        periodStart,
        periodEnd,
        number: formatNumber(series, seq),
        provider: "local",
        status: paid ? "PAID" : "OPEN",
        totalExclVatCents: draft.totals.exclVatCents,
        vatCents: draft.totals.vatCents,
        totalInclVatCents: draft.totals.inclVatCents,
        insertionMinutes: draft.insertionMinutes,
        issuedAt,
        dueAt,
        paidAt: paid ? new Date(Math.min(dueAt.getTime() - 5 * 86_400_000, today.getTime())) : null,
        lines: {
          create: draft.lines.map((l) => ({
            interventionId: l.interventionId,
            description: l.description,
            quantity: l.quantity,
            unitPriceCents: l.unitPriceCents,
            vatRateBasisPoints: l.vatRateBasisPoints,
            amountExclVatCents: l.exclVatCents,
            vatCents: l.vatCents,
            purchaseOrderNumber: l.purchaseOrderNumber,
            // The line of a live invoice holds its intervention's claim (the database checks it).
            billingClaim: { create: { interventionId: l.interventionId } },
          })),
        },
        payments: paid
          ? {
              create: {
                amountCents: draft.totals.inclVatCents,
                method: "transfer",
                reference: `VIR ${formatNumber(series, seq)}`,
                receivedAt: new Date(Math.min(dueAt.getTime() - 5 * 86_400_000, today.getTime())),
              },
            }
          : undefined,
      },
    });
  }
  for (const [series, last] of counters) await db.invoiceNumberCounter.create({ data: { series, last } });
  return { timeEntries: entries.length, invoices: [...counters.values()].reduce((s, v) => s + v, 0) };
}
