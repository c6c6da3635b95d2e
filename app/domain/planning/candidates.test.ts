import { describe, expect, it } from "vitest";
import { byAvailability, candidateStatus } from "./candidates.ts";

// Tuesday 8 December 2026, 10:00–12:00.
const slot = { start: "2026-12-08T10:00", durationMinutes: 120 };
const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, from: "08:00", to: "17:00" }));

describe("a candidate's status for a slot", () => {
  it("is available when a window of that weekday covers the slot", () => {
    expect(candidateStatus({ availability: weekdays, absences: [] }, slot)).toBe("available");
  });
  it("is unavailable outside their windows (another day, or too short)", () => {
    expect(candidateStatus({ availability: [{ day: 1, from: "08:00", to: "17:00" }], absences: [] }, slot)).toBe("unavailable");
    expect(candidateStatus({ availability: [{ day: 2, from: "08:00", to: "11:00" }], absences: [] }, slot)).toBe("unavailable");
  });
  it("is absent when an absence overlaps, whatever the availability", () => {
    expect(candidateStatus({ availability: weekdays, absences: [{ from: "2026-12-08T00:00", to: "2026-12-09T00:00" }] }, slot)).toBe("absent");
    expect(candidateStatus({ availability: weekdays, absences: [{ from: "2026-12-08T12:00", to: "2026-12-09T00:00" }] }, slot)).toBe("available");
  });
  it("is new without any availability recorded", () => {
    expect(candidateStatus({ availability: [], absences: [] }, slot)).toBe("new");
  });
  it("is busy when already on an overlapping intervention", () => {
    expect(candidateStatus({ availability: weekdays, absences: [] }, slot, [{ start: "2026-12-08T11:00", durationMinutes: 60 }])).toBe("busy");
    expect(candidateStatus({ availability: weekdays, absences: [] }, slot, [{ start: "2026-12-08T12:00", durationMinutes: 60 }])).toBe("available");
  });
  it("sorts the available first, the absent last", () => {
    const list = [
      { name: "Zoé", status: "absent" as const },
      { name: "Yann", status: "available" as const },
      { name: "Alice", status: "unavailable" as const },
      { name: "Bruno", status: "new" as const },
      { name: "Aline", status: "available" as const },
    ];
    expect(list.sort(byAvailability).map((p) => p.name)).toEqual(["Aline", "Yann", "Bruno", "Alice", "Zoé"]);
  });
});
