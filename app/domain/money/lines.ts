// Money of a line (quote, invoice): integer cents, VAT in basis points
// (2000 = 20 %), VAT computed per line and rounded half up to the cent.
// Pure; shared by the portal's estimate, the quote PDF and invoicing.

/**
 * a / b rounded to the nearest integer, halves away from zero (so "half up"
 * for amounts, and a credit note mirrors its invoice). Integers only.
 */
export function divideRoundHalfUp(a: number, b: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || b === 0) throw new RangeError("divideRoundHalfUp: safe integers, b ≠ 0");
  const sign = Math.sign(a) * Math.sign(b);
  const absA = Math.abs(a);
  const absB = Math.abs(b);
  return sign * Math.floor((2 * absA + absB) / (2 * absB));
}

export type LineInput = {
  unitPriceCents: number;
  /**
   * How many units, in hundredths of a unit by default: 100 = one hour (or one
   * flat intervention), 750 = 7.5 participant-hours. Give `quantityPer` to count in
   * another fraction: minutes of an hourly price are `{ quantity: minutes, quantityPer: 60 }`.
   */
  quantity: number;
  /** Quantity that makes one unit (default 100). */
  quantityPer?: number;
  vatRateBasisPoints: number;
};

export type LineTotals = { exclVatCents: number; vatCents: number; inclVatCents: number };

/** One line: amount excl. VAT rounded half up to the cent, then its VAT rounded half up. */
export function lineTotals({ unitPriceCents, quantity, quantityPer = 100, vatRateBasisPoints }: LineInput): LineTotals {
  const exclVatCents = divideRoundHalfUp(unitPriceCents * quantity, quantityPer);
  const vatCents = divideRoundHalfUp(exclVatCents * vatRateBasisPoints, 10_000);
  return { exclVatCents, vatCents, inclVatCents: exclVatCents + vatCents };
}

/** How a prestation is priced: per hour and per person, or one flat price per intervention. */
export type PricingUnit = "PER_PARTICIPANT_HOUR" | "FLAT";

/**
 * The priced line of one intervention: the one rule behind the quote, the
 * invoice and the late-cancellation fee. A flat price is one unit; an hourly
 * price is paid per worker-minute (minutes / 60); `percent` of it for a fee
 * (100 = the whole price).
 */
export function pricedLine(p: { pricingUnit: PricingUnit; unitPriceCents: number; vatRateBasisPoints: number; participantMinutes: number; percent?: number }): LineTotals {
  const percent = p.percent ?? 100;
  return p.pricingUnit === "FLAT"
    ? lineTotals({ unitPriceCents: p.unitPriceCents, quantity: percent, quantityPer: 100, vatRateBasisPoints: p.vatRateBasisPoints })
    : lineTotals({ unitPriceCents: p.unitPriceCents, quantity: p.participantMinutes * percent, quantityPer: 60 * 100, vatRateBasisPoints: p.vatRateBasisPoints });
}

/** Sum of lines (each already rounded: the total is the sum of the lines, as on the document). */
export function sumTotals(lines: readonly LineTotals[]): LineTotals {
  return lines.reduce((sum, l) => ({ exclVatCents: sum.exclVatCents + l.exclVatCents, vatCents: sum.vatCents + l.vatCents, inclVatCents: sum.inclVatCents + l.inclVatCents }), {
    exclVatCents: 0,
    vatCents: 0,
    inclVatCents: 0,
  });
}
