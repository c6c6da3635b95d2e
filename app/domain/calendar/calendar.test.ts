import { describe, expect, it } from "vitest";
import { addDays, easterSunday, frenchPublicHolidays, isoWeekday, publicHolidayName } from "./holidays.ts";
import { parisInstant, parisParts } from "./paris.ts";

describe("French public holidays", () => {
  it("computes Easter", () => {
    expect(easterSunday(2024)).toBe("2024-03-31");
    expect(easterSunday(2025)).toBe("2025-04-20");
    expect(easterSunday(2026)).toBe("2026-04-05");
    expect(easterSunday(2027)).toBe("2027-03-28");
  });
  it("lists the eleven holidays of 2026 with Easter-based ones", () => {
    const h = frenchPublicHolidays(2026);
    expect(h.size).toBe(11);
    expect(h.get("2026-04-06")).toBe("lundi de Pâques");
    expect(h.get("2026-05-14")).toBe("Ascension");
    expect(h.get("2026-05-25")).toBe("lundi de Pentecôte");
    expect(publicHolidayName("2026-12-25")).toBe("Noël");
    expect(publicHolidayName("2026-12-24")).toBeNull();
  });
  it("walks calendar days", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(isoWeekday("2026-11-30")).toBe(1);
    expect(isoWeekday("2026-11-29")).toBe(7);
  });
});

describe("Paris time", () => {
  it("converts in winter and summer", () => {
    expect(parisInstant("2026-12-01", 9 * 60).toISOString()).toBe("2026-12-01T08:00:00.000Z");
    expect(parisInstant("2026-07-01", 9 * 60).toISOString()).toBe("2026-07-01T07:00:00.000Z");
    expect(parisParts(new Date("2026-07-01T07:00:00Z"))).toEqual({ date: "2026-07-01", minutes: 540 });
  });
  it("handles the spring gap and the autumn overlap", () => {
    expect(parisInstant("2026-03-29", 2 * 60 + 30).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(parisInstant("2026-10-25", 2 * 60 + 30).toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });
});
