// How a stored invoice line reads on every copy of the invoice: finance's and
// the partner's pages, the Factur-X (EN 16931) and its readable PDF. One
// owner, so that a late cancellation never reads "9 h × 22,00 €" on one and
// "1 × 99,00 €" on the other, nor in another order. Pure.
import { divideRoundHalfUp } from "~/domain/money/lines.ts";
import { formatEuros, formatMinutes } from "~/utils/format.ts";

export type StoredLine = {
  id: string;
  pricingUnit: "PER_PARTICIPANT_HOUR" | "FLAT" | null;
  /** As stored: minutes × workers for an hourly price, 1 for a flat price, planned minutes for a late cancellation. */
  quantity: number;
  unitPriceCents: number;
  exclVatCents: number;
  /** When the intervention started (null for a line without one): the lines' order. */
  performedAt: Date | null;
};

/** BT-129/130/146/149: minutes at a price per 60 minutes, or one unit at a price. */
export type LinePricing = { quantity: number; unitCode: "MIN" | "C62"; unitPriceCents: number; baseQuantity: 60 | null };

export function linePricing(line: Pick<StoredLine, "pricingUnit" | "quantity" | "unitPriceCents" | "exclVatCents">): LinePricing {
  // Minutes worked at an hourly price: quantity in minutes, price per 60 minutes, exact to the cent.
  if (line.pricingUnit === "PER_PARTICIPANT_HOUR" && line.quantity > 0 && divideRoundHalfUp(line.unitPriceCents * line.quantity, 60) === line.exclVatCents) {
    return { quantity: line.quantity, unitCode: "MIN", unitPriceCents: line.unitPriceCents, baseQuantity: 60 };
  }
  if (line.quantity === 1 && line.unitPriceCents === line.exclVatCents) return { quantity: 1, unitCode: "C62", unitPriceCents: line.unitPriceCents, baseQuantity: null };
  // Anything else (a late cancellation at a share of the price): one unit at the line's amount.
  return { quantity: 1, unitCode: "C62", unitPriceCents: line.exclVatCents, baseQuantity: null };
}

/** The lines in the order of the work (the order the draft built them), ties by id. */
export function inWorkOrder<T extends Pick<StoredLine, "id" | "performedAt">>(lines: readonly T[]): T[] {
  return [...lines].sort((a, b) => (a.performedAt?.getTime() ?? 0) - (b.performedAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
}

/** "9 h", or "1" */
export const quantityLabel = (p: LinePricing) => (p.unitCode === "MIN" ? formatMinutes(p.quantity) : String(p.quantity));
/** "22,00 €/h", or "99,00 €" */
export const unitPriceLabel = (p: LinePricing) => `${formatEuros(p.unitPriceCents)}${p.baseQuantity ? "/h" : ""}`;

/**
 * The period the invoice prints (BT-73/74, "prestations du … au …"): the first
 * and last days its lines were performed, so that work carried over from an
 * earlier month, or a month invoiced before its end, is never printed under
 * dates that do not contain it. The invoice's month when no line has a date.
 */
export function servicePeriod(performedOn: readonly (string | null | undefined)[], month: { start: string; end: string }): { start: string; end: string } {
  const days = performedOn.filter((d): d is string => !!d).sort();
  return days.length ? { start: days[0]!, end: days[days.length - 1]! } : month;
}
