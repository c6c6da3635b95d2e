import { describe, expect, it } from "vitest";
import { ACTIONS_BY_STATE, attendanceState, decideAttendance, hoursDifferFromPlan, type AttendanceAction, type AttendanceEntry } from "./attendance.ts";

const startsAt = new Date("2026-12-08T08:00:00Z"); // 09:00 in Paris
const endsAt = new Date("2026-12-08T11:00:00Z");
const rules = { checkInEarlyMinutes: 60, varianceAlertMinutes: 15 };
const at = (minutes: number) => new Date(startsAt.getTime() + minutes * 60_000);
const arrived: AttendanceEntry = { checkInAt: at(-5), checkOutAt: null, minutesWorked: 0, absent: false };

describe("what an encadrant may record for a person", () => {
  it("derives one state per person and offers only the actions that fit it", () => {
    expect(attendanceState(null)).toBe("expected");
    expect(attendanceState(arrived)).toBe("arrived");
    expect(attendanceState({ ...arrived, checkOutAt: at(180), minutesWorked: 185 })).toBe("left");
    expect(attendanceState({ checkInAt: null, checkOutAt: null, minutesWorked: 120, absent: false, correctionReason: "oubli" })).toBe("left");
    expect(attendanceState({ checkInAt: null, checkOutAt: null, minutesWorked: 0, absent: true })).toBe("absent");
    expect(ACTIONS_BY_STATE.arrived).not.toContain("check-in");
    expect(ACTIONS_BY_STATE.left).toEqual(["correct"]);
  });

  it("accepts an arrival from the window before the start until the planned end, and never twice", () => {
    expect(decideAttendance("check-in", null, { startsAt, endsAt }, rules, at(-61))).toMatchObject({ ok: false, message: expect.stringContaining("à partir de 08:00") });
    expect(decideAttendance("check-in", null, { startsAt, endsAt }, rules, at(-60))).toEqual({ ok: true });
    expect(decideAttendance("check-in", null, { startsAt, endsAt }, rules, at(180))).toEqual({ ok: true });
    expect(decideAttendance("check-in", null, { startsAt, endsAt }, rules, at(181))).toMatchObject({ ok: false });
    expect(decideAttendance("check-in", arrived, { startsAt, endsAt }, rules, at(0))).toMatchObject({ ok: false });
  });

  it("derives the minutes of a departure from the arrival, refusing a departure in the same minute", () => {
    expect(decideAttendance("check-out", arrived, { startsAt, endsAt }, rules, at(-5))).toMatchObject({ ok: false });
    expect(decideAttendance("check-out", arrived, { startsAt, endsAt }, rules, new Date(at(-5).getTime() + 59_000))).toMatchObject({ ok: false });
    expect(decideAttendance("check-out", arrived, { startsAt, endsAt }, rules, at(175))).toEqual({ ok: true, minutes: 180 });
    expect(decideAttendance("check-out", null, { startsAt, endsAt }, rules, at(175))).toMatchObject({ ok: false });
  });

  it("refuses any action outside the state's list, whatever the time", () => {
    const states: [AttendanceEntry | null, AttendanceAction[]][] = [
      [null, ["check-out"]],
      [arrived, ["check-in"]],
      [{ ...arrived, checkOutAt: at(100), minutesWorked: 105 }, ["check-in", "check-out", "absent"]],
      [{ checkInAt: null, checkOutAt: null, minutesWorked: 0, absent: true }, ["check-out", "absent"]],
    ];
    for (const [entry, refused] of states) for (const action of refused) expect(decideAttendance(action, entry, { startsAt, endsAt }, rules, at(30)).ok).toBe(false);
  });

  it("flags hours further from the plan than the margin, either way", () => {
    expect(hoursDifferFromPlan(195, 180, rules)).toBe(false);
    expect(hoursDifferFromPlan(196, 180, rules)).toBe(true);
    expect(hoursDifferFromPlan(164, 180, rules)).toBe(true);
    expect(hoursDifferFromPlan(0, 180, rules)).toBe(true);
  });
});
