import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarise } from "./dashboard.ts";
import { buildDraftInvoice, buildLine, formatNumber, isLateCancellation, type BillableIntervention } from "./lines.ts";
import { firstWorkingDay, isFirstWorkingDay, monthBounds, parisTime, previousMonth } from "./period.ts";
import { ageingBucket, mergeStatus } from "./status.ts";

const RULES = { cancellationDeadlineHours: 48, lateCancellationFeePercent: 50 };
const at = (iso: string) => new Date(iso);

function intervention(overrides: Partial<BillableIntervention> = {}): BillableIntervention {
  return {
    id: "i1",
    startsAt: at("2026-10-12T07:00:00Z"),
    status: "DONE",
    cancelledAt: null,
    siteName: "Gare de Lyon",
    prestationName: "Nettoyage des passerelles",
    pricingUnit: "PER_PARTICIPANT_HOUR",
    unitPriceCents: 2450,
    vatRateBasisPoints: 2000,
    purchaseOrderNumber: "4500012340",
    durationMinutes: 180,
    participantsNeeded: 3,
    timeEntries: [
      { minutesWorked: 180, absent: false },
      { minutesWorked: 165, absent: false },
      { minutesWorked: 0, absent: true },
    ],
    openDispute: false,
    ...overrides,
  };
}

describe("invoice lines", () => {
  it("bills the minutes actually worked by the people present, VAT per line rounded half up", () => {
    const result = buildLine(intervention(), RULES);
    expect("line" in result).toBe(true);
    if (!("line" in result)) return;
    // 345 minutes at 24,50 €/h = 140,875 € -> 140,88 €; VAT 20 % of 140,88 = 28,176 -> 28,18 €.
    expect(result.line).toMatchObject({ quantity: 345, exclVatCents: 14088, vatCents: 2818, inclVatCents: 16906, insertionMinutes: 345, purchaseOrderNumber: "4500012340" });
    expect(result.line.description).toContain("5 h 45 (2 personnes)");
  });

  it("bills a flat price once, whatever the hours", () => {
    const result = buildLine(intervention({ pricingUnit: "FLAT", unitPriceCents: 39000 }), RULES);
    expect("line" in result && result.line).toMatchObject({ quantity: 1, exclVatCents: 39000, vatCents: 7800, insertionMinutes: 345 });
  });

  it("bills a late cancellation at the service's percentage of the planned price, and not an early one", () => {
    const late = intervention({ status: "CANCELLED", cancelledAt: at("2026-10-11T07:00:00Z"), timeEntries: [] });
    const early = intervention({ status: "CANCELLED", cancelledAt: at("2026-10-09T07:00:00Z"), timeEntries: [] });
    expect(isLateCancellation(late, RULES)).toBe(true);
    expect(isLateCancellation(early, RULES)).toBe(false);
    const result = buildLine(late, RULES);
    // 180 min x 3 people = 9 h at 24,50 € = 220,50 €, half = 110,25 €.
    expect("line" in result && result.line).toMatchObject({ exclVatCents: 11025, vatCents: 2205, insertionMinutes: 0 });
    expect("skipped" in buildLine(early, RULES)).toBe(true);
    expect("skipped" in buildLine(late, { ...RULES, lateCancellationFeePercent: 0 })).toBe(true);
  });

  it("holds back a contested intervention and one whose hours are not recorded", () => {
    expect(buildLine(intervention({ openDispute: true }), RULES)).toEqual({ skipped: { interventionId: "i1", reason: "Contestation en cours" } });
    expect(buildLine(intervention({ timeEntries: [] }), RULES)).toMatchObject({ skipped: { reason: "Heures non saisies par l'encadrant" } });
  });

  it("totals are the sum of the rounded lines, in integer cents (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.integer({ min: 1, max: 100_000 }), minutes: fc.integer({ min: 1, max: 2000 }), vat: fc.constantFrom(0, 550, 1000, 2000) }), { minLength: 1, maxLength: 20 }),
        (rows) => {
          const draft = buildDraftInvoice(
            rows.map((r, i) => intervention({ id: `i${i}`, unitPriceCents: r.price, vatRateBasisPoints: r.vat, timeEntries: [{ minutesWorked: r.minutes, absent: false }] })),
            RULES,
          );
          const sum = draft.lines.reduce((s, l) => s + l.inclVatCents, 0);
          expect(draft.totals.inclVatCents).toBe(sum);
          for (const l of draft.lines) {
            expect(Number.isInteger(l.exclVatCents) && Number.isInteger(l.vatCents)).toBe(true);
            expect(Math.abs(l.exclVatCents - (l.unitPriceCents * l.quantity) / 60)).toBeLessThanOrEqual(0.5);
            expect(Math.abs(l.vatCents - (l.exclVatCents * l.vatRateBasisPoints) / 10_000)).toBeLessThanOrEqual(0.5);
          }
        },
      ),
    );
  });

  it("numbers invoices in a yearly series", () => {
    expect(formatNumber("F2026", 42)).toBe("F2026-00042");
  });
});

describe("periods", () => {
  it("covers a month in Paris time, across the daylight-saving change", () => {
    const october = monthBounds("2026-10");
    expect(october.from.toISOString()).toBe("2026-09-30T22:00:00.000Z");
    expect(october.to.toISOString()).toBe("2026-10-31T23:00:00.000Z");
    expect(october.periodEnd.toISOString().slice(0, 10)).toBe("2026-10-31");
    expect(previousMonth("2026-01")).toBe("2025-12");
    expect(parisTime(2026, 3, 29, 12).toISOString()).toBe("2026-03-29T10:00:00.000Z");
  });

  it("finds the first working day of a month (weekends and public holidays)", () => {
    expect(firstWorkingDay("2026-11")).toBe("2026-11-02"); // Sunday 1st is also All Saints
    expect(firstWorkingDay("2027-01")).toBe("2027-01-04"); // Friday 1st is New Year's Day, then the weekend
    expect(firstWorkingDay("2026-05")).toBe("2026-05-04"); // Friday 1st May, then the weekend
    expect(isFirstWorkingDay(at("2026-11-02T06:00:00Z"))).toBe(true);
    expect(isFirstWorkingDay(at("2026-11-03T06:00:00Z"))).toBe(false);
  });
});

describe("statuses and the dashboard", () => {
  it("never moves an invoice back, whatever order the events come in", () => {
    expect(mergeStatus("PAID", "OPEN")).toBe("PAID");
    expect(mergeStatus("OPEN", "PAID")).toBe("PAID");
    expect(mergeStatus("UNCOLLECTIBLE", "PAID")).toBe("PAID");
    expect(mergeStatus("VOID", "PAID")).toBe("VOID");
    expect(mergeStatus("UNCOLLECTIBLE", "OPEN")).toBe("UNCOLLECTIBLE");
  });

  it("ages what is due and sums per month and partner", () => {
    const now = at("2026-11-29T12:00:00Z");
    expect(ageingBucket(at("2026-12-01T00:00:00Z"), now)).toBe("current");
    expect(ageingBucket(at("2026-11-10T00:00:00Z"), now)).toBe("1-30");
    expect(ageingBucket(at("2026-07-01T00:00:00Z"), now)).toBe("90+");
    const base = { organisationId: "o1", organisationName: "SNCF", creditedCents: 0 };
    const s = summarise(
      [
        { ...base, status: "PAID", month: "2026-09", dueAt: at("2026-10-30T00:00:00Z"), totalCents: 10_000, paidCents: 10_000 },
        { ...base, status: "OPEN", month: "2026-10", dueAt: at("2026-11-10T00:00:00Z"), totalCents: 5_000, paidCents: 1_000, creditedCents: 500 },
        { ...base, status: "VOID", month: "2026-10", dueAt: null, totalCents: 9_999, paidCents: 0 },
      ],
      now,
    );
    expect(s.total).toEqual({ invoicedCents: 14_500, paidCents: 11_000, outstandingCents: 3_500, overdueCents: 3_500 });
    expect(s.ageing["1-30"]).toBe(3_500);
    expect(s.months.map((m) => m.month)).toEqual(["2026-09", "2026-10"]);
  });
});
