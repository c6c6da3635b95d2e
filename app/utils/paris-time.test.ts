import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parisInstant, parisParts } from "~/domain/calendar/paris.ts";
import { monthBounds, parisTime } from "~/domain/invoicing/period.ts";
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

describe("one rule for the days the clocks change (every reader of Paris time agrees)", () => {
  const two = (n: number) => String(n).padStart(2, "0");
  const minuteOf = (day: string, m: number) => `${day}T${two(Math.floor(m / 60))}:${two(m % 60)}`;
  // Both changes of 2026 and 2027, and an ordinary day between.
  const DAYS = ["2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31", "2026-06-15"];

  it("in the autumn's repeated hour, 02:30 is its first instant (summer time), for all three readers", () => {
    expect(fromParisLocal("2026-10-25T02:30").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(parisInstant("2026-10-25", 150).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(parisTime(2026, 10, 25, 2, 30).toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });

  it("in the spring's missing hour, 02:30 is read as 03:30, for all three readers", () => {
    expect(fromParisLocal("2026-03-29T02:30").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(parisInstant("2026-03-29", 150).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(parisTime(2026, 3, 29, 2, 30).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(toParisLocal(fromParisLocal("2026-03-29T02:30"))).toBe("2026-03-29T03:30");
  });

  it("every minute of those days: the readers agree, read back the same clock and keep their order (the missing hour aside)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DAYS), fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 240 }), (day, m, later) => {
        const local = minuteOf(day, m);
        const instant = fromParisLocal(local);
        expect(parisInstant(day, m).getTime()).toBe(instant.getTime());
        const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
        expect(parisTime(y, mo, d, Math.floor(m / 60), m % 60).getTime()).toBe(instant.getTime());
        const isMissing = (minute: number) => day.slice(5, 7) === "03" && minute >= 120 && minute < 180;
        const missing = isMissing(m);
        if (!missing) {
          expect(toParisLocal(instant)).toBe(local);
          expect(parisParts(instant)).toEqual({ date: day, minutes: m });
        }
        // Clock times that exist keep their order (a missing one is moved an hour on, past some that follow it).
        if (!missing && m + later < 1440 && !isMissing(m + later)) expect(fromParisLocal(minuteOf(day, m + later)).getTime()).toBeGreaterThanOrEqual(instant.getTime());
      }),
      { numRuns: 3000 },
    );
  });

  it("every instant around the changes reads as a clock time that converts back to it or, in the repeated hour, to its first occurrence", () => {
    const starts = [Date.parse("2026-03-28T22:00:00Z"), Date.parse("2026-10-24T22:00:00Z")];
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.integer({ min: 0, max: 8 * 60 }), (start, minutes) => {
        const instant = new Date(start + minutes * 60_000);
        const back = fromParisLocal(toParisLocal(instant)).getTime();
        expect(back === instant.getTime() || back === instant.getTime() - 3_600_000).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("an invoicing month spans from midnight to midnight in Paris, across a change of time", () => {
    expect(monthBounds("2026-10")).toMatchObject({ from: new Date("2026-09-30T22:00:00Z"), to: new Date("2026-10-31T23:00:00Z") });
    expect(monthBounds("2026-03")).toMatchObject({ from: new Date("2026-02-28T23:00:00Z"), to: new Date("2026-03-31T22:00:00Z") });
  });
});
