import { describe, expect, it } from "vitest";
import { addDays, fromParisLocal, parisWeekStart, toParisLocal } from "./paris-time.ts";

describe("Paris wall-clock time", () => {
  it("converts both ways in winter and in summer", () => {
    expect(toParisLocal(new Date("2026-12-08T08:00:00Z"))).toBe("2026-12-08T09:00");
    expect(toParisLocal(new Date("2026-07-08T07:00:00Z"))).toBe("2026-07-08T09:00");
    expect(fromParisLocal("2026-12-08T09:00").toISOString()).toBe("2026-12-08T08:00:00.000Z");
    expect(fromParisLocal("2026-07-08T09:00").toISOString()).toBe("2026-07-08T07:00:00.000Z");
  });
  it("handles the days the clocks change", () => {
    expect(fromParisLocal("2026-03-29T09:00").toISOString()).toBe("2026-03-29T07:00:00.000Z");
    expect(fromParisLocal("2026-10-25T09:00").toISOString()).toBe("2026-10-25T08:00:00.000Z");
    expect(toParisLocal(fromParisLocal("2026-03-29T01:30"))).toBe("2026-03-29T01:30");
  });
  it("finds the Monday of the week in Paris", () => {
    expect(parisWeekStart(new Date("2026-11-29T23:30:00Z"))).toBe("2026-11-30"); // Monday 00:30 in Paris
    expect(parisWeekStart(new Date("2026-11-29T22:30:00Z"))).toBe("2026-11-23"); // still Sunday 23:30
    expect(parisWeekStart(new Date("2026-12-06T12:00:00Z"))).toBe("2026-11-30");
    expect(addDays("2026-12-28", 7)).toBe("2027-01-04");
  });
});
