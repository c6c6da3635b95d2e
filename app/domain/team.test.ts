import { describe, expect, it } from "vitest";
import { supervisorLimitSchema } from "./backoffice/rules-forms.ts";
import { newSupervisorSchema } from "./planning/people-forms.ts";
import { isTeamSize, TEAM_MAX, TEAM_MIN } from "./team.ts";

describe("the team bound", () => {
  it("is one range that every team-size field reads", () => {
    expect([TEAM_MIN - 1, TEAM_MIN, TEAM_MAX, TEAM_MAX + 1, 2.5].map(isTeamSize)).toEqual([false, true, true, false, false]);
    const limit = (n: number) => supervisorLimitSchema.safeParse({ intent: "supervisorLimit", supervisorId: "s1", maxTeamSize: String(n) }).success;
    expect([TEAM_MIN, TEAM_MAX, TEAM_MAX + 1].map(limit)).toEqual([true, true, false]);
    const led = (n: number) => newSupervisorSchema.shape.maxTeamSize.safeParse(String(n));
    expect(led(TEAM_MAX).success).toBe(true);
    expect(led(TEAM_MAX + 1).error?.issues[0]?.message).toBe(`${TEAM_MAX} personnes au plus.`);
  });
});
