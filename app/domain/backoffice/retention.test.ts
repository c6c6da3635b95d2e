import { describe, expect, it } from "vitest";
import { isDueForAnonymisation, monthsBefore, retentionCutoff } from "./retention.ts";

describe("retention", () => {
  const now = new Date("2026-11-29T03:00:00Z");
  it("is due 24 full months after the contract's end, not a day before", () => {
    expect(retentionCutoff(now, 24).toISOString().slice(0, 10)).toBe("2024-11-29");
    expect(isDueForAnonymisation({ contractEnd: new Date("2024-11-28"), anonymisedAt: null }, now, 24)).toBe(true);
    expect(isDueForAnonymisation({ contractEnd: new Date("2024-11-29"), anonymisedAt: null }, now, 24)).toBe(false);
    expect(isDueForAnonymisation({ contractEnd: new Date("2020-01-01"), anonymisedAt: new Date() }, now, 24)).toBe(false);
  });
  it("clamps to the end of a shorter month", () => {
    expect(monthsBefore(new Date("2026-03-31T00:00:00Z"), 1).toISOString().slice(0, 10)).toBe("2026-02-28");
  });
});
