import { describe, expect, it } from "vitest";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { datesNotYetExpanded, expandedThrough, horizonEnd, occurrencesToExpand, type RecurrenceSpec } from "./recurrence.ts";

const rules = resolveServiceRules({ closureDays: ["2027-01-19"] });
// Every Tuesday from 2026-12-08, 12 dates, 09:00 Paris, 2 h.
const spec: RecurrenceSpec = { firstDate: "2026-12-08", startMinute: 540, recurrence: "WEEKLY", count: 12, until: "2027-02-23", durationMinutes: 120, windowMinutes: 0 };
const now = new Date("2026-11-29T10:00:00Z");

describe("the rolling horizon of a series", () => {
  it("reaches 8 weeks from today, Paris time", () => {
    expect(horizonEnd(now, 8)).toBe("2027-01-24");
    expect(horizonEnd(new Date("2026-11-29T23:30:00Z"), 1)).toBe("2026-12-07"); // already the 30th in Paris
  });

  it("creates the open dates within the horizon, at the series' time, and never one past its end", () => {
    const first = occurrencesToExpand(spec, rules, { after: null, through: "2027-01-24", now });
    // 8 Dec to 19 Jan, less the closure day of 19 Jan.
    expect(first.map((o) => o.date)).toEqual(["2026-12-08", "2026-12-15", "2026-12-22", "2026-12-29", "2027-01-05", "2027-01-12"]);
    expect(first[0]!.startsAt.toISOString()).toBe("2026-12-08T08:00:00.000Z");
    expect(expandedThrough(spec, "2027-01-24")).toBe("2027-01-24");
    expect(expandedThrough(spec, "2027-06-01")).toBe("2027-02-23");
    const next = occurrencesToExpand(spec, rules, { after: "2027-01-24", through: "2027-06-01", now });
    expect(next.map((o) => o.date)).toEqual(["2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16", "2027-02-23"]);
  });

  it("always brings the first date with the order, however far, and never a past one", () => {
    const far = { ...spec, firstDate: "2027-06-01", until: "2027-08-17" };
    expect(occurrencesToExpand(far, rules, { after: null, through: "2027-01-24", now }).map((o) => o.date)).toEqual(["2027-06-01"]);
    expect(expandedThrough(far, "2027-01-24")).toBe("2027-06-01");
    const later = new Date("2026-12-16T10:00:00Z");
    expect(occurrencesToExpand(spec, rules, { after: null, through: "2027-01-05", now: later }).map((o) => o.date)).toEqual(["2026-12-22", "2026-12-29", "2027-01-05"]);
  });

  it("lists the dates still to come for the partner, closures left out", () => {
    expect(datesNotYetExpanded(spec, rules, "2027-01-12")).toEqual(["2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16", "2027-02-23"]);
    expect(datesNotYetExpanded(spec, rules, null)).toHaveLength(11);
  });
});
