import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveRequestStatus, INTERVENTION_STATUSES, requestStatusCondition } from "./status.ts";

describe("deriveRequestStatus", () => {
  it("is the least advanced live status", () => {
    expect(deriveRequestStatus(["DONE", "SCHEDULED", "SCHEDULED"])).toBe("SCHEDULED");
    expect(deriveRequestStatus(["PAID", "INVOICED"])).toBe("INVOICED");
  });
  it("ignores cancelled dates while others are live", () => {
    expect(deriveRequestStatus(["CANCELLED", "DONE"])).toBe("DONE");
  });
  it("is cancelled or declined when nothing is live", () => {
    expect(deriveRequestStatus(["CANCELLED", "CANCELLED"])).toBe("CANCELLED");
    expect(deriveRequestStatus(["DECLINED"])).toBe("DECLINED");
    expect(deriveRequestStatus([])).toBe("CANCELLED");
  });
  it("is in progress as soon as one date is", () => {
    expect(deriveRequestStatus(["SCHEDULED", "IN_PROGRESS", "DONE"])).toBe("IN_PROGRESS");
  });
});

describe("the request status filter", () => {
  it("matches exactly the requests whose derived status is the one asked, for any mix of interventions", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INTERVENTION_STATUSES), { minLength: 1, maxLength: 8 }), fc.constantFrom(...INTERVENTION_STATUSES), (statuses, asked) => {
        const { some, none } = requestStatusCondition(asked);
        const matches = statuses.some((s) => some.includes(s)) && !statuses.some((s) => none.includes(s));
        expect(matches).toBe(deriveRequestStatus(statuses) === asked);
      }),
      { numRuns: 2000 },
    );
  });
});
