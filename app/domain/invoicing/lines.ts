// The invoice of one partner for one period, from its interventions. Pure:
// the data layer loads the rows, this decides what is billed and how much.
import { pricedLine, sumTotals, type LineTotals, type PricingUnit } from "~/domain/money/lines.ts";

export type BillableIntervention = {
  id: string;
  startsAt: Date;
  status: "DONE" | "CANCELLED";
  cancelledAt: Date | null;
  siteName: string;
  prestationName: string;
  pricingUnit: PricingUnit;
  unitPriceCents: number;
  vatRateBasisPoints: number;
  purchaseOrderNumber: string | null;
  durationMinutes: number;
  participantsNeeded: number;
  timeEntries: { minutesWorked: number; absent: boolean }[];
  /** A dispute not yet settled: the line waits for the next run. */
  openDispute: boolean;
  /** How finance settled the partner's dispute, if there was one. */
  settlement?: Settlement | null;
};

/** Finance's decision on contested hours: bill them, bill a corrected figure, or bill nothing. */
export type Settlement = { outcome: "KEEP" } | { outcome: "CORRECT"; correctedMinutes: number } | { outcome: "WAIVE" };

export const SKIP_IN_TIME_CANCELLATION = "Annulation dans les délais";
export const SKIP_WAIVED = "Ligne abandonnée après contestation";
/** Reasons that are final: the intervention is never billed, nothing waits. */
export const FINAL_SKIPS: readonly string[] = [SKIP_IN_TIME_CANCELLATION, SKIP_WAIVED];

export type BillingRules = { cancellationDeadlineHours: number; lateCancellationFeePercent: number };

export type DraftLine = LineTotals & {
  interventionId: string;
  description: string;
  /** Minutes × workers for an hourly price, 1 for a flat price. */
  quantity: number;
  unitPriceCents: number;
  vatRateBasisPoints: number;
  purchaseOrderNumber: string | null;
  /** Minutes of work in insertion this line represents (impact figures). */
  insertionMinutes: number;
};

export type Skipped = { interventionId: string; reason: string };

const dayFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", day: "2-digit", month: "2-digit", year: "numeric" });

/** True when the partner cancelled after the deadline: billed per the service's rule. */
export function isLateCancellation(i: Pick<BillableIntervention, "startsAt" | "cancelledAt">, rules: BillingRules): boolean {
  if (!i.cancelledAt) return false;
  return i.startsAt.getTime() - i.cancelledAt.getTime() < rules.cancellationDeadlineHours * 3_600_000;
}

/** One line per intervention, or a reason why it waits or is not billed. */
export function buildLine(i: BillableIntervention, rules: BillingRules): { line: DraftLine } | { skipped: Skipped } {
  const skip = (reason: string) => ({ skipped: { interventionId: i.id, reason } });
  if (i.openDispute) return skip("Contestation en cours");
  if (i.settlement?.outcome === "WAIVE") return skip(SKIP_WAIVED);
  const base = `${dayFormat.format(i.startsAt)} · ${i.siteName} · ${i.prestationName}`;
  const common = { interventionId: i.id, unitPriceCents: i.unitPriceCents, vatRateBasisPoints: i.vatRateBasisPoints, purchaseOrderNumber: i.purchaseOrderNumber };

  if (i.status === "CANCELLED") {
    if (!isLateCancellation(i, rules) || rules.lateCancellationFeePercent === 0) return skip(SKIP_IN_TIME_CANCELLATION);
    const percent = rules.lateCancellationFeePercent;
    const planned = i.durationMinutes * i.participantsNeeded;
    const totals = pricedLine({ ...i, participantMinutes: planned, percent });
    return {
      line: {
        ...common,
        ...totals,
        description: `${base} · annulation tardive (${percent} % du prix prévu)`,
        quantity: i.pricingUnit === "FLAT" ? 1 : planned,
        insertionMinutes: 0,
      },
    };
  }

  const worked = i.timeEntries.filter((t) => !t.absent);
  const minutes = worked.reduce((sum, t) => sum + t.minutesWorked, 0);
  if (i.timeEntries.length === 0) return skip("Heures non saisies par l'encadrant");
  if (i.pricingUnit === "FLAT") {
    return {
      line: {
        ...common,
        ...pricedLine({ ...i, participantMinutes: minutes }),
        description: `${base} · forfait`,
        quantity: 1,
        insertionMinutes: minutes,
      },
    };
  }
  if (minutes === 0) return skip("Aucune heure travaillée");
  // A corrected figure is what the partner pays; the hours worked (impact, payroll) stay as recorded.
  const billed = i.settlement?.outcome === "CORRECT" ? i.settlement.correctedMinutes : minutes;
  const people = `${worked.length} ${worked.length > 1 ? "personnes" : "personne"}`;
  return {
    line: {
      ...common,
      ...pricedLine({ ...i, participantMinutes: billed }),
      description: billed === minutes ? `${base} · ${formatHours(minutes)} (${people})` : `${base} · ${formatHours(billed)} après contestation (${formatHours(minutes)} relevées, ${people})`,
      quantity: billed,
      insertionMinutes: minutes,
    },
  };
}

function formatHours(minutes: number) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
}

export type DraftInvoice = {
  lines: DraftLine[];
  skipped: Skipped[];
  totals: LineTotals;
  insertionMinutes: number;
};

/** The draft of one partner's period: lines in date order, totals as the sum of the rounded lines. */
export function buildDraftInvoice(interventions: readonly BillableIntervention[], rules: BillingRules): DraftInvoice {
  const lines: DraftLine[] = [];
  const skipped: Skipped[] = [];
  for (const i of [...interventions].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id.localeCompare(b.id))) {
    const result = buildLine(i, rules);
    if ("line" in result) lines.push(result.line);
    else skipped.push(result.skipped);
  }
  return { lines, skipped, totals: sumTotals(lines), insertionMinutes: lines.reduce((s, l) => s + l.insertionMinutes, 0) };
}

/** Invoice and credit-note numbers: a series per year, gapless, "F2026-00042". */
export const invoiceSeries = (year: number) => `F${year}`;
export const creditNoteSeries = (year: number) => `A${year}`;
export const internalSeries = (year: number) => `R${year}`;
export const formatNumber = (series: string, n: number) => `${series}-${String(n).padStart(5, "0")}`;
