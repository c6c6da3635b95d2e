import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { divideRoundHalfUp, lineTotals, pricedLine, sumTotals } from "./lines.ts";

describe("divideRoundHalfUp", () => {
  it("rounds halves away from zero", () => {
    expect(divideRoundHalfUp(5, 2)).toBe(3);
    expect(divideRoundHalfUp(7, 2)).toBe(4);
    expect(divideRoundHalfUp(-5, 2)).toBe(-3);
    expect(divideRoundHalfUp(4, 3)).toBe(1);
    expect(divideRoundHalfUp(5, 3)).toBe(2);
  });
});

describe("lineTotals", () => {
  it("prices 7.5 participant-hours at 22 € with 20 % VAT", () => {
    expect(lineTotals({ unitPriceCents: 2200, quantity: 750, vatRateBasisPoints: 2000 })).toEqual({ exclVatCents: 16500, vatCents: 3300, inclVatCents: 19800 });
  });
  it("rounds the VAT of a line half up to the cent", () => {
    // 0.125 € of VAT at 5.5 % on 2.27 €: 12.485 cents -> 12 ; 2.50 € at 5 % -> 12.5 -> 13
    expect(lineTotals({ unitPriceCents: 250, quantity: 100, vatRateBasisPoints: 500 }).vatCents).toBe(13);
    expect(lineTotals({ unitPriceCents: 227, quantity: 100, vatRateBasisPoints: 550 }).vatCents).toBe(12);
  });
  it("counts minutes of an hourly price with quantityPer 60", () => {
    expect(lineTotals({ unitPriceCents: 2000, quantity: 37, quantityPer: 60, vatRateBasisPoints: 2000 })).toEqual({ exclVatCents: 1233, vatCents: 247, inclVatCents: 1480 });
  });
  it("sums lines as they are printed", () => {
    const line = lineTotals({ unitPriceCents: 333, quantity: 100, vatRateBasisPoints: 2000 });
    expect(sumTotals([line, line, line])).toEqual({ exclVatCents: 999, vatCents: 201, inclVatCents: 1200 });
  });

  it("property: incl. = excl. + VAT, VAT within half a cent of the exact figure, monotone in quantity", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0, 550, 1000, 2000), (unitPriceCents, quantity, vatRateBasisPoints) => {
        const t = lineTotals({ unitPriceCents, quantity, vatRateBasisPoints });
        expect(t.inclVatCents).toBe(t.exclVatCents + t.vatCents);
        expect(Math.abs(t.exclVatCents - (unitPriceCents * quantity) / 100)).toBeLessThanOrEqual(0.5);
        expect(Math.abs(t.vatCents - (t.exclVatCents * vatRateBasisPoints) / 10_000)).toBeLessThanOrEqual(0.5);
        expect(Number.isInteger(t.vatCents) && t.vatCents >= 0).toBe(true);
        const more = lineTotals({ unitPriceCents, quantity: quantity + 1, vatRateBasisPoints });
        expect(more.inclVatCents).toBeGreaterThanOrEqual(t.inclVatCents);
      }),
    );
  });
  it("property: a negative line (credit) mirrors the positive one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(550, 2000), (p, q, v) => {
        const pos = lineTotals({ unitPriceCents: p, quantity: q, vatRateBasisPoints: v });
        const neg = lineTotals({ unitPriceCents: -p, quantity: q, vatRateBasisPoints: v });
        expect(neg.inclVatCents).toBe(-pos.inclVatCents);
      }),
    );
  });
});

describe("the priced line of an intervention", () => {
  it("is one unit for a flat price and participant-minutes / 60 for an hourly one, a share of it for a fee", () => {
    expect(pricedLine({ pricingUnit: "FLAT", unitPriceCents: 9_900, vatRateBasisPoints: 2000, participantMinutes: 540 })).toEqual({ exclVatCents: 9_900, vatCents: 1_980, inclVatCents: 11_880 });
    expect(pricedLine({ pricingUnit: "PER_PARTICIPANT_HOUR", unitPriceCents: 2_200, vatRateBasisPoints: 2000, participantMinutes: 540 }).exclVatCents).toBe(19_800);
    expect(pricedLine({ pricingUnit: "PER_PARTICIPANT_HOUR", unitPriceCents: 2_200, vatRateBasisPoints: 2000, participantMinutes: 540, percent: 50 }).exclVatCents).toBe(9_900);
    expect(pricedLine({ pricingUnit: "FLAT", unitPriceCents: 9_999, vatRateBasisPoints: 0, participantMinutes: 0, percent: 50 }).exclVatCents).toBe(5_000);
  });

  it("prices the whole price exactly as the plain minutes / 60 rule, to the cent", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 20 * 720 }), fc.constantFrom(0, 550, 1000, 2000), (unitPriceCents, participantMinutes, vatRateBasisPoints) => {
        expect(pricedLine({ pricingUnit: "PER_PARTICIPANT_HOUR", unitPriceCents, vatRateBasisPoints, participantMinutes })).toEqual(
          lineTotals({ unitPriceCents, quantity: participantMinutes, quantityPer: 60, vatRateBasisPoints }),
        );
        expect(pricedLine({ pricingUnit: "FLAT", unitPriceCents, vatRateBasisPoints, participantMinutes })).toEqual(lineTotals({ unitPriceCents, quantity: 1, quantityPer: 1, vatRateBasisPoints }));
      }),
    );
  });
});
