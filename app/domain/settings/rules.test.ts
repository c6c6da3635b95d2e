import { describe, expect, it } from "vitest";
import { resolveServiceRules } from "./rules.ts";

describe("service rules", () => {
  it("has a default for every rule", () => {
    const rules = resolveServiceRules({});
    expect(rules.cancellationDeadlineHours).toBe(48);
    expect(rules.openingHours).toEqual({ days: [1, 2, 3, 4, 5], from: "08:00", to: "18:00" });
    expect(rules.scheduleChangeNoticeDays).toBe(7);
  });
  it("takes stored values and ignores malformed ones", () => {
    const rules = resolveServiceRules({ cancellationDeadlineHours: 72, disputeWindowDays: "soon" });
    expect(rules.cancellationDeadlineHours).toBe(72);
    expect(rules.disputeWindowDays).toBe(5);
  });
});
