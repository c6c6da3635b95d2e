// The finance dashboard's figures, from issued invoices. Pure.
import { ageingBucket, amountDueCents, overdueCents, type AgeingBucket, type InvoiceStatus } from "./status.ts";

export type DashboardInvoice = {
  status: InvoiceStatus;
  month: string;
  dueAt: Date | null;
  organisationId: string;
  organisationName: string;
  totalCents: number;
  paidCents: number;
  creditedCents: number;
};

export type Figures = { invoicedCents: number; paidCents: number; outstandingCents: number; overdueCents: number };
const zero = (): Figures => ({ invoicedCents: 0, paidCents: 0, outstandingCents: 0, overdueCents: 0 });

/** Invoiced (net of credit notes), paid, still due and overdue: per month, per partner, and the ageing of what is due. */
export function summarise(invoices: readonly DashboardInvoice[], now: Date) {
  const byMonth = new Map<string, Figures>();
  const byPartner = new Map<string, Figures & { name: string }>();
  const ageing: Record<AgeingBucket, number> = { current: 0, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 0 };
  const total = zero();
  for (const i of invoices) {
    if (i.status === "VOID") continue;
    const invoiced = i.totalCents - i.creditedCents;
    const amounts = { status: i.status, totalInclVatCents: i.totalCents, paidCents: i.paidCents, creditedCents: i.creditedCents, dueAt: i.dueAt };
    const outstanding = amountDueCents(amounts);
    const overdue = overdueCents(amounts, now);
    for (const f of [
      byMonth.get(i.month) ?? byMonth.set(i.month, zero()).get(i.month)!,
      byPartner.get(i.organisationId) ?? byPartner.set(i.organisationId, { ...zero(), name: i.organisationName }).get(i.organisationId)!,
      total,
    ]) {
      f.invoicedCents += invoiced;
      f.paidCents += i.paidCents;
      f.outstandingCents += outstanding;
      f.overdueCents += overdue;
    }
    if (outstanding > 0 && i.dueAt) ageing[ageingBucket(i.dueAt, now)] += outstanding;
  }
  return {
    total,
    months: [...byMonth.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, f]) => ({ month, ...f })),
    partners: [...byPartner.entries()].map(([id, f]) => ({ id, ...f })).sort((a, b) => a.name.localeCompare(b.name, "fr")),
    ageing,
  };
}
