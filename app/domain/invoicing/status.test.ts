import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amountDueCents, canMove, CORRECTABLE, CREDITABLE, INVOICE_STATUSES, interventionStatusFor, MAY_BECOME_UNCOLLECTIBLE, mergeStatus, PAYABLE, TRANSITIONS, VOIDABLE } from "./status.ts";

describe("the invoice lifecycle", () => {
  it("only moves forward: no state can be reached again once left", () => {
    const reachable = (from: string, seen = new Set<string>()): Set<string> => {
      for (const next of TRANSITIONS[from as keyof typeof TRANSITIONS]) if (!seen.has(next)) reachable(next, seen.add(next));
      return seen;
    };
    for (const s of INVOICE_STATUSES) expect(reachable(s).has(s)).toBe(false);
    expect(TRANSITIONS.PAID).toEqual([]);
    expect(TRANSITIONS.VOID).toEqual([]);
  });

  it("takes a reported state only when it is an allowed move, whatever order the reports come in", () => {
    fc.assert(
      fc.property(fc.constantFrom(...INVOICE_STATUSES), fc.array(fc.constantFrom(...INVOICE_STATUSES), { maxLength: 6 }), (start, reports) => {
        let current: (typeof INVOICE_STATUSES)[number] = start;
        for (const next of reports) {
          const merged = mergeStatus(current, next);
          expect(merged === current || canMove(current, merged)).toBe(true);
          current = merged;
        }
      }),
    );
  });

  it("names sets that agree with the moves allowed", () => {
    for (const s of PAYABLE) expect(canMove(s, "PAID")).toBe(true);
    for (const s of VOIDABLE) expect(canMove(s, "VOID")).toBe(true);
    for (const s of MAY_BECOME_UNCOLLECTIBLE) expect(canMove(s, "UNCOLLECTIBLE")).toBe(true);
    for (const s of [...CREDITABLE, ...CORRECTABLE]) expect(s).not.toBe("DRAFT");
    expect(CREDITABLE).not.toContain("VOID");
  });

  it("owes something only while payable, and moves the interventions with it", () => {
    for (const status of INVOICE_STATUSES) {
      const due = amountDueCents({ status, totalInclVatCents: 10_000, paidCents: 2_000, creditedCents: 1_000 });
      expect(due).toBe((PAYABLE as readonly string[]).includes(status) ? 7_000 : 0);
    }
    expect(interventionStatusFor("OPEN")).toBe("INVOICED");
    expect(interventionStatusFor("PAID")).toBe("PAID");
    expect(interventionStatusFor("VOID")).toBeNull();
    expect(interventionStatusFor("UNCOLLECTIBLE")).toBeNull();
  });
});
