// Instant mode (insertIntoPlan): what is staffed stands exactly as it is, the
// waiting requests are placed around it, and the result keeps H1-H8 as judged
// by the independent validator of the tests.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateInstance } from "../../../tests/support/instance-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { insertIntoPlan, solve } from "./engine";
import type { Instance, InstanceRequest, Plan } from "./instance";
import { aRequest, aSupervisor, aWeek, aParticipant, parsed } from "./test-builders";

/** The week as the instant job sees it: `kept` staffed as in `plan` and pinned whole, the others waiting. */
function withKept(instance: Instance, plan: Plan, kept: Set<string>): Instance {
  const staffing = new Map(plan.assignments.map((a) => [a.requestId, a]));
  return {
    ...instance,
    requests: instance.requests.map((request): InstanceRequest => {
      const a = staffing.get(request.id);
      if (!a || !kept.has(request.id)) return request;
      const { latestStart: _window, ...rest } = request;
      return { ...rest, start: a.start, pinned: { supervisorId: a.supervisorId, participantIds: a.participantIds } };
    }),
  };
}

describe("instant insertion", () => {
  it("places a new request around the staffed ones without moving them", () => {
    const week = aWeek({
      participants: [aParticipant("w-1"), aParticipant("w-2")],
      supervisors: [aSupervisor("e-1"), aSupervisor("e-2")],
      requests: [aRequest("kept", { pinned: { supervisorId: "e-1", participantIds: ["w-1"] } }), aRequest("new", { start: "2026-12-08T10:00", latestStart: "2026-12-08T12:00" })],
    });
    const { plan } = insertIntoPlan(parsed(week));
    expect(plan.assignments.find((a) => a.requestId === "kept")).toEqual({ requestId: "kept", start: "2026-12-08T09:00", supervisorId: "e-1", participantIds: ["w-1"] });
    // At 10:00 only e-2 and w-2 are free: the new request takes them rather than waiting.
    expect(plan.assignments.find((a) => a.requestId === "new")).toEqual({ requestId: "new", start: "2026-12-08T10:00", supervisorId: "e-2", participantIds: ["w-2"] });
    expect(validatePlan(parsed(week), plan).violations).toEqual([]);
  });

  it("keeps a staffed intervention as it is even when a rule changed since, and books nobody twice", () => {
    // w-1 has been marked absent after being staffed: that is for re-planning, not for the instant job.
    const week = aWeek({
      participants: [aParticipant("w-1", { absences: [{ from: "2026-12-08T08:00", to: "2026-12-08T18:00" }] }), aParticipant("w-2")],
      supervisors: [aSupervisor("e-1")],
      requests: [aRequest("kept", { pinned: { supervisorId: "e-1", participantIds: ["w-1"] } }), aRequest("new")],
    });
    const { plan } = insertIntoPlan(parsed(week));
    expect(plan.assignments).toEqual([{ requestId: "kept", start: "2026-12-08T09:00", supervisorId: "e-1", participantIds: ["w-1"] }]);
    expect(plan.unassigned).toEqual([{ requestId: "new", rule: "capacity", reason: expect.stringContaining("encadrants") }]);
  });

  it("hands people over between waiting requests to place one more", () => {
    // Greedy gives the long request (first, most valuable) w-1, whose target is the furthest;
    // the short one needs w-1 (the only cook): the repair gives the long one w-2 instead.
    const week = aWeek({
      participants: [aParticipant("w-1", { skills: ["nettoyage", "cuisine"], weeklyTargetHours: 10 }), aParticipant("w-2", { weeklyTargetHours: 3 })],
      supervisors: [aSupervisor("e-1", { skills: ["nettoyage", "cuisine"] }), aSupervisor("e-2", { skills: ["nettoyage", "cuisine"] })],
      requests: [aRequest("long", { durationMinutes: 240 }), aRequest("cook", { durationMinutes: 60, skill: "cuisine" })],
    });
    const instance = parsed(week);
    const { plan } = insertIntoPlan(instance);
    expect(plan.unassigned).toEqual([]);
    expect(plan.assignments.map((a) => [a.requestId, a.participantIds])).toEqual([
      ["long", ["w-2"]],
      ["cook", ["w-1"]],
    ]);
    expect(validatePlan(instance, plan).violations).toEqual([]);
  });

  it("on random weeks: every kept request stands exactly as it was, and the plan keeps H1-H8", () => {
    const cases = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      requests: fc.integer({ min: 2, max: 40 }),
      timeWindows: fc.boolean(),
      tightness: fc.double({ min: 0.5, max: 3, noNaN: true }),
      keptShare: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(cases, ({ keptShare, ...options }) => {
        const original = parsed(generateInstance({ ...options, pinnedShare: 0 }));
        const before = solve(original, { iterations: 100 }).plan;
        const kept = new Set(before.assignments.filter((_, i) => (i * 0.618) % 1 < keptShare).map((a) => a.requestId));
        const instance = parsed(withKept(original, before, kept));
        const { plan, stats } = insertIntoPlan(instance);
        for (const a of before.assignments.filter((x) => kept.has(x.requestId))) {
          expect(plan.assignments.find((x) => x.requestId === a.requestId)).toEqual(a);
        }
        const validation = validatePlan(instance, plan);
        expect(validation.violations).toEqual([]);
        expect(validation.objective).toEqual(stats.objective);
        expect(JSON.stringify(insertIntoPlan(structuredClone(instance)).plan)).toBe(JSON.stringify(plan));
      }),
      { numRuns: 60, seed: 20261129 },
    );
  });
});
