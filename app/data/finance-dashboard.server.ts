import type { Actor } from "~/domain/access/roles.ts";
import { summarise } from "~/domain/invoicing/dashboard.ts";
import { monthBounds, monthLabel, monthNotReady, monthOf, previousMonth, type Month } from "~/domain/invoicing/period.ts";
import { countOpenDisputes } from "./disputes.server.ts";
import { insertionMinutesByMonth, invoicesForDashboard, listInvoices, listPartners, recordedMinutesInMonth, requestInvoiceRun } from "./invoicing.server.ts";

// Finance's dashboard (/finance): what it shows, and the monthly invoice run it starts.

/** The figures of finance's dashboard: the run form's months and partners, what waits, the outstanding and the insertion hours per partner. */
export async function financeDashboard(now: Date) {
  const lastMonth = previousMonth(monthOf(now));
  // The month in progress first (on demand, for one partner), then the twelve before.
  const months = Array.from({ length: 13 }, (_, i) => {
    let m = monthOf(now);
    for (let k = 0; k < i; k++) m = previousMonth(m);
    return m;
  });
  const since = monthBounds(months[months.length - 1]!).periodStart;
  const year = Number(monthOf(now).slice(0, 4));
  const [invoices, partners, drafts, impact, openDisputes] = await Promise.all([
    invoicesForDashboard(since),
    listPartners(),
    listInvoices({ status: "DRAFT" }),
    insertionMinutesByMonth(monthBounds(`${year - 1}-01`).from, monthBounds(`${year}-12`).to),
    countOpenDisputes(),
  ]);
  const impactByPartner = new Map<string, { id: string; name: string; thisYear: number; lastYear: number; lastMonth: number }>();
  for (const row of impact) {
    const entry = impactByPartner.get(row.organisationId) ?? { id: row.organisationId, name: row.name, thisYear: 0, lastYear: 0, lastMonth: 0 };
    if (row.month.startsWith(String(year))) entry.thisYear += row.minutes;
    else entry.lastYear += row.minutes;
    if (row.month === lastMonth) entry.lastMonth += row.minutes;
    impactByPartner.set(row.organisationId, entry);
  }
  return {
    months: months.map((m) => ({ value: m, label: monthLabel(m) })),
    defaultMonth: lastMonth,
    lastMonthLabel: monthLabel(lastMonth),
    partners,
    draftCount: drafts.length,
    openDisputes,
    draftMonths: [...new Set(drafts.map((d) => d.periodStart.toISOString().slice(0, 7)))],
    summary: summarise(invoices, now),
    year,
    impact: [...impactByPartner.values()].sort((a, b) => b.thisYear - a.thisYear),
  };
}

export type InvoiceRunInput = { intent: "prepare" | "issue"; month: Month; organisationId?: string; runKey: string; early: boolean };

/** Starts finance's run for a month, once the month can be invoiced: the job's id, or the field's French message. */
export async function startInvoiceRun(actor: Actor, input: InvoiceRunInput, now: Date): Promise<{ ok: true; jobId: string } | { ok: false; errors: Record<string, string> }> {
  const { intent, month, organisationId, runKey, early } = input;
  const notReady = monthNotReady(month, now, early);
  if (notReady) return { ok: false, errors: { month: notReady } };
  // A run for an organisation that is not a partner would do nothing, silently.
  if (organisationId && !(await listPartners()).some((p) => p.id === organisationId)) {
    return { ok: false, errors: { organisationId: "Choisissez un partenaire de la liste." } };
  }
  // Never a month without hours recorded: its invoices could only be empty, or bill what was never worked.
  if ((await recordedMinutesInMonth(month, organisationId)) === 0) {
    return { ok: false, errors: { month: `Aucune heure n'est enregistrée en ${monthLabel(month)}${organisationId ? " pour ce partenaire" : ""} : il n'y a rien à facturer.` } };
  }
  const jobId = await requestInvoiceRun(actor, { step: intent, month, organisationId, runKey: `${intent}-${runKey}` });
  return { ok: true, jobId };
}
