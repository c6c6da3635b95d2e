import { describe, expect, it } from "vitest";
import { newParticipantSchema } from "~/domain/planning/people-forms.ts";
import { participantAlerts } from "~/domain/planning/people.ts";
import { DPH_MAX_MINUTES, lastContractDay, weeklyCeilingMinutes } from "./dph.ts";

describe("the DPH limits, one owner", () => {
  it("ends a contract the day before the same date 12 months later, 29 February included", () => {
    expect(lastContractDay("2026-12-01")).toBe("2027-11-30");
    expect(lastContractDay("2028-02-29")).toBe("2029-02-28");
    expect(lastContractDay("2026-01-31")).toBe("2027-01-30");
  });

  it("caps a person's week at their own ceiling, never above 16 h", () => {
    expect(weeklyCeilingMinutes(12 * 60)).toBe(720);
    expect(weeklyCeilingMinutes(20 * 60)).toBe(DPH_MAX_MINUTES);
  });

  it("is what the person form and the planning alerts apply", () => {
    const base = { firstName: "Awa", lastInitial: "D", contractStart: "2026-12-01", weeklyTargetHours: "6", weeklyMaxHours: "16", skills: [], referentSupervisorId: "" };
    expect(newParticipantSchema("2026-12-01").safeParse({ ...base, contractEnd: lastContractDay("2026-12-01") }).success).toBe(true);
    expect(newParticipantSchema("2026-12-01").safeParse({ ...base, contractEnd: "2027-12-01" }).success).toBe(false);
    expect(newParticipantSchema("2026-12-01").safeParse({ ...base, weeklyMaxHours: "16,25", contractEnd: "2027-06-01" }).success).toBe(false);
    const alerts = (planned: number) => participantAlerts({ contractEnd: new Date("2027-06-01"), plannedMinutes: planned, weeklyMaxMinutes: 20 * 60 }, new Date("2026-12-07")).map((a) => a.kind);
    expect(alerts(DPH_MAX_MINUTES)).toEqual([]);
    expect(alerts(DPH_MAX_MINUTES + 15)).toEqual(["over-16h"]);
  });
});
