import { describe, expect, it } from "vitest";
import { monthsBefore, retentionCutoff } from "./retention.ts";

describe("retention", () => {
  const now = new Date("2026-11-29T03:00:00Z");
  it("cuts off 24 full months before today (the query anonymises contracts ended strictly before)", () => {
    expect(retentionCutoff(now, 24).toISOString().slice(0, 10)).toBe("2024-11-29");
  });
  it("clamps to the end of a shorter month", () => {
    expect(monthsBefore(new Date("2026-03-31T00:00:00Z"), 1).toISOString().slice(0, 10)).toBe("2026-02-28");
  });
});
