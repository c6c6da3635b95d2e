import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validatePlan } from "../../../tests/support/plan-validator";
import { defaultIterations, solve, weeklyIterations } from "./engine";
import { parseInstance, type Instance, type Plan } from "./instance";
import { computeObjective } from "./objective";
import { checkPlan } from "./rules";
import { aRequest, aSupervisor, aWeek, aParticipant } from "./test-builders";

const example = JSON.parse(readFileSync(new URL("./fixtures/example-small.json", import.meta.url), "utf8"));

/** Solves with the heuristic and checks the plan with both validators. */
function staff(week: Instance): Plan {
  const parsed = parseInstance(week);
  if (!parsed.ok) throw new Error(`${parsed.path}: ${parsed.message}`);
  const { plan } = solve(parsed.instance);
  expect(checkPlan(parsed.instance, plan)).toEqual([]);
  expect(validatePlan(parsed.instance, plan).violations).toEqual([]);
  return plan;
}

const assignmentOf = (plan: Plan, id: string) => plan.assignments.find((a) => a.requestId === id);
const unassignedOf = (plan: Plan, id: string) => plan.unassigned.find((u) => u.requestId === id);

describe("the heuristic on the contract's example", () => {
  it("reaches the known optimum: 1,050 served, shortfall 1,170, travel 0, r-005 and r-006 unassigned", () => {
    const parsed = parseInstance(example);
    if (!parsed.ok) throw new Error(parsed.message);
    const { plan, stats } = solve(parsed.instance);
    expect(stats.objective).toEqual({ pinnedKept: 1, servedParticipantMinutes: 1050, shortfall: 1170, travel: 0 });
    expect(computeObjective(parsed.instance, plan)).toEqual(stats.objective);
    expect(validatePlan(parsed.instance, plan).objective).toEqual(stats.objective);
    expect(plan.unassigned.map((u) => u.requestId).sort()).toEqual(["r-005", "r-006"]);
    expect(unassignedOf(plan, "r-005")).toMatchObject({ rule: "H4" });
    expect(unassignedOf(plan, "r-005")!.reason).toContain("jeudi 10 décembre de 8 h à 12 h");
    expect(unassignedOf(plan, "r-006")).toMatchObject({ rule: "H3" });
    expect(unassignedOf(plan, "r-006")!.reason).toContain("dechets");
  });

  it("is deterministic: the same instance gives the same plan, byte for byte", () => {
    const parsed = parseInstance(example);
    if (!parsed.ok) throw new Error(parsed.message);
    const first = JSON.stringify(solve(parsed.instance).plan);
    const second = JSON.stringify(solve(structuredClone(parsed.instance)).plan);
    expect(second).toBe(first);
  });
});

describe("hard rules", () => {
  it("H1: every request appears exactly once, staffed or not", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1")],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-1"), aRequest("r-2", { skill: "cuisine" }), aRequest("r-3", { start: "2026-12-09T09:00" })],
      }),
    );
    const ids = [...plan.assignments, ...plan.unassigned].map((e) => e.requestId).sort();
    expect(ids).toEqual(["r-1", "r-2", "r-3"]);
  });

  it("H2: a team is whole or not sent; a supervisor's team size limit is respected", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2"), aParticipant("w-3")],
        supervisors: [aSupervisor("e-1", { maxTeamSize: 2 })],
        requests: [aRequest("r-big", { participantsNeeded: 3 }), aRequest("r-two", { participantsNeeded: 2, start: "2026-12-09T09:00" })],
      }),
    );
    expect(unassignedOf(plan, "r-big")).toMatchObject({ rule: "H2" });
    expect(unassignedOf(plan, "r-big")!.reason).toMatch(/équipe de 3 salariés/);
    expect(assignmentOf(plan, "r-two")!.participantIds).toHaveLength(2);
  });

  it("H3: only people with the skill; no supervisor with it names the skill", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1", { skills: ["cuisine"] }), aParticipant("w-2", { skills: ["nettoyage"] })],
        supervisors: [aSupervisor("e-1", { skills: ["nettoyage", "cuisine"] })],
        requests: [aRequest("r-1", { skill: "cuisine" }), aRequest("r-2", { skill: "bricolage", start: "2026-12-09T09:00" })],
      }),
    );
    expect(assignmentOf(plan, "r-1")!.participantIds).toEqual(["w-1"]);
    expect(unassignedOf(plan, "r-2")).toMatchObject({ rule: "H3" });
    expect(unassignedOf(plan, "r-2")!.reason).toMatch(/Aucun encadrant n'a la compétence bricolage/);
  });

  it("H3: too few workers with the skill", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2", { skills: ["cuisine"] })],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-1", { participantsNeeded: 2 })],
      }),
    );
    expect(unassignedOf(plan, "r-1")).toMatchObject({ rule: "H3" });
    expect(unassignedOf(plan, "r-1")!.reason).toMatch(/Il faut 2 salariés ayant la compétence nettoyage ; un seul l'a \(w-1\)/);
  });

  it("H4: availability windows and absences", () => {
    const plan = staff(
      aWeek({
        participants: [
          aParticipant("w-morning", { availability: [{ day: 2, from: "08:00", to: "12:00" }] }),
          aParticipant("w-absent", { absences: [{ from: "2026-12-08T00:00", to: "2026-12-09T00:00" }] }),
          aParticipant("w-ok"),
        ],
        supervisors: [aSupervisor("e-1"), aSupervisor("e-2", { availability: [{ day: 4, from: "08:00", to: "12:00" }] })],
        requests: [
          aRequest("r-1", { start: "2026-12-08T11:00" }), // Tuesday 11-13: only w-ok can
          aRequest("r-2", { start: "2026-12-10T14:00", skill: "cuisine" }),
        ],
      }),
    );
    expect(assignmentOf(plan, "r-1")!.participantIds).toEqual(["w-ok"]);
    const week2 = aWeek({
      participants: [aParticipant("w-1", { availability: [{ day: 4, from: "08:00", to: "12:00" }] })],
      supervisors: [aSupervisor("e-1", { availability: [{ day: 4, from: "08:00", to: "12:00" }] })],
      requests: [aRequest("r-late", { start: "2026-12-10T14:00", durationMinutes: 180 })],
    });
    const plan2 = staff(week2);
    expect(unassignedOf(plan2, "r-late")).toMatchObject({ rule: "H4" });
    expect(unassignedOf(plan2, "r-late")!.reason).toBe("Aucun encadrant ayant la compétence nettoyage n'est libre le jeudi 10 décembre de 14 h à 17 h.");
  });

  it("H5: the request's date must be within the worker's contract", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-ended", { contractStart: "2026-01-01", contractEnd: "2026-12-08" })],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-tue", { start: "2026-12-08T09:00" }), aRequest("r-wed", { start: "2026-12-09T09:00" })],
      }),
    );
    expect(assignmentOf(plan, "r-tue")!.participantIds).toEqual(["w-ended"]);
    expect(unassignedOf(plan, "r-wed")).toMatchObject({ rule: "H5" });
  });

  it("H6: no overlap, and the travel time between sites fits between two interventions", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1", { weeklyTargetHours: 8 })],
        supervisors: [aSupervisor("e-1")],
        requests: [
          aRequest("r-gare", { start: "2026-12-08T09:00", durationMinutes: 120 }),
          // Ends at 11:00 at the station; Bercy is 30 min away: 11:15 is too early, 11:30 fits.
          aRequest("r-bercy-too-soon", { siteId: "bercy", start: "2026-12-08T11:15", durationMinutes: 60 }),
          aRequest("r-overlap", { start: "2026-12-08T10:00", durationMinutes: 60 }),
          aRequest("r-bercy-ok", { siteId: "bercy", start: "2026-12-09T11:30", durationMinutes: 60 }),
          aRequest("r-gare-wed", { start: "2026-12-09T09:00", durationMinutes: 120 }),
        ],
      }),
    );
    expect(assignmentOf(plan, "r-gare")).toBeDefined();
    expect(unassignedOf(plan, "r-bercy-too-soon")).toMatchObject({ rule: "capacity" });
    expect(unassignedOf(plan, "r-overlap")).toMatchObject({ rule: "capacity" });
    expect(assignmentOf(plan, "r-bercy-ok")).toBeDefined();
    expect(assignmentOf(plan, "r-gare-wed")).toBeDefined();
  });

  it("H7: weekly caps of participants (with hours already planned) and supervisors", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1", { weeklyTargetHours: 3, weeklyMaxHours: 4, hoursAlreadyPlanned: 2 })],
        supervisors: [aSupervisor("e-1", { weeklyMaxHours: 35 })],
        requests: [aRequest("r-3h", { durationMinutes: 180 })],
      }),
    );
    expect(unassignedOf(plan, "r-3h")).toMatchObject({ rule: "H7" });

    const plan2 = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2")],
        supervisors: [aSupervisor("e-1", { weeklyMaxHours: 3 })],
        requests: [aRequest("r-1", { durationMinutes: 120 }), aRequest("r-2", { durationMinutes: 120, start: "2026-12-09T09:00" })],
      }),
    );
    expect(plan2.assignments).toHaveLength(1);
    expect(plan2.unassigned[0].rule).toBe("capacity");
  });

  it("H8: pinned people are kept; a pin that cannot be honoured is reported as H8", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2"), aParticipant("w-away", { absences: [{ from: "2026-12-09T00:00", to: "2026-12-10T00:00" }] })],
        supervisors: [aSupervisor("e-1"), aSupervisor("e-2")],
        requests: [aRequest("r-pinned", { pinned: { supervisorId: "e-2", participantIds: ["w-2"] } }), aRequest("r-pin-absent", { start: "2026-12-09T09:00", pinned: { participantIds: ["w-away"] } })],
      }),
    );
    expect(assignmentOf(plan, "r-pinned")).toMatchObject({ supervisorId: "e-2", participantIds: ["w-2"] });
    expect(unassignedOf(plan, "r-pin-absent")).toMatchObject({ rule: "H8" });
    expect(unassignedOf(plan, "r-pin-absent")!.reason).toMatch(/w-away.*absent/);
  });

  it("chooses a start inside [start, latestStart] on the 15-minute grid", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1", { availability: [{ day: 2, from: "10:10", to: "18:00" }] })],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-1", { start: "2026-12-08T09:30", latestStart: "2026-12-08T11:00" })],
      }),
    );
    expect(assignmentOf(plan, "r-1")!.start).toBe("2026-12-08T10:15");
  });
});

describe("objective levels", () => {
  it("1: keeps a pinned request rather than serving more minutes", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2")],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-pinned", { durationMinutes: 60, pinned: {} }), aRequest("r-bigger", { durationMinutes: 240, participantsNeeded: 2, start: "2026-12-08T08:30" })],
      }),
    );
    expect(assignmentOf(plan, "r-pinned")).toBeDefined();
    expect(unassignedOf(plan, "r-bigger")).toMatchObject({ rule: "capacity" });
  });

  it("2: serves the most participant-minutes (two participants x 2 h beats one participant x 3 h)", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2")],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-solo-3h", { durationMinutes: 180 }), aRequest("r-duo-2h", { durationMinutes: 120, participantsNeeded: 2, start: "2026-12-08T10:00" })],
      }),
    );
    expect(plan.assignments.map((a) => a.requestId)).toEqual(["r-duo-2h"]);
  });

  it("2: an ejection makes room for more served minutes than the greedy order finds", () => {
    // The greedy takes the 4-hour request first (most minutes); serving the two
    // 3-hour requests instead, one each side of it, serves more.
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1", { weeklyTargetHours: 8 })],
        supervisors: [aSupervisor("e-1")],
        requests: [
          aRequest("r-middle", { start: "2026-12-08T10:00", durationMinutes: 240 }),
          aRequest("r-morning", { start: "2026-12-08T08:00", durationMinutes: 180 }),
          aRequest("r-afternoon", { start: "2026-12-08T13:00", durationMinutes: 180 }),
        ],
      }),
    );
    expect(plan.assignments.map((a) => a.requestId).sort()).toEqual(["r-afternoon", "r-morning"]);
  });

  it("3: gives the hours to the participant furthest below target", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-full", { weeklyTargetHours: 4, hoursAlreadyPlanned: 4 }), aParticipant("w-short", { weeklyTargetHours: 4, hoursAlreadyPlanned: 0 })],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("r-1")],
      }),
    );
    expect(assignmentOf(plan, "r-1")!.participantIds).toEqual(["w-short"]);
  });

  it("4: avoids travel between consecutive interventions of the same day", () => {
    const plan = staff(
      aWeek({
        participants: [aParticipant("w-1"), aParticipant("w-2")],
        supervisors: [aSupervisor("e-gare"), aSupervisor("e-bercy")],
        requests: [
          aRequest("r-gare-am", { start: "2026-12-08T08:00", pinned: { supervisorId: "e-gare", participantIds: ["w-1"] } }),
          aRequest("r-bercy-am", { siteId: "bercy", start: "2026-12-08T08:00", pinned: { supervisorId: "e-bercy", participantIds: ["w-2"] } }),
          aRequest("r-gare-pm", { start: "2026-12-08T14:00" }),
          aRequest("r-bercy-pm", { siteId: "bercy", start: "2026-12-08T14:00" }),
        ],
      }),
    );
    expect(assignmentOf(plan, "r-gare-pm")).toMatchObject({ supervisorId: "e-gare", participantIds: ["w-1"] });
    expect(assignmentOf(plan, "r-bercy-pm")).toMatchObject({ supervisorId: "e-bercy", participantIds: ["w-2"] });
  });
});

describe("the search budgets", () => {
  it("gives the weekly job a longer search that shrinks on big weeks, never below the default", () => {
    expect(defaultIterations(200)).toBe(5000);
    expect(defaultIterations(1000)).toBe(2500);
    expect(weeklyIterations(200)).toBe(40_000);
    expect(weeklyIterations(1000)).toBe(40_000);
    expect(weeklyIterations(5000)).toBe(8000);
    // A city week: the budget grows again with the size past 2,500 requests, continuously.
    expect(defaultIterations(2500)).toBe(1000);
    expect(defaultIterations(5000)).toBe(6000);
    expect(defaultIterations(20_000)).toBe(36_000);
    expect(defaultIterations(100_000)).toBe(40_000);
    for (const n of [0, 1, 10, 80, 333, 2500, 20_000, 100_000]) expect(weeklyIterations(n)).toBeGreaterThanOrEqual(defaultIterations(n));
  });

  it("serves at least as many participant-minutes with the weekly budget on the contract's example", () => {
    const parsed = parseInstance(example);
    if (!parsed.ok) throw new Error(parsed.message);
    const quick = solve(parsed.instance).stats.objective;
    const longer = solve(parsed.instance, { iterations: weeklyIterations(parsed.instance.requests.length) });
    expect(longer.stats.iterations).toBe(40_000);
    expect(longer.stats.objective.servedParticipantMinutes).toBeGreaterThanOrEqual(quick.servedParticipantMinutes);
    expect(checkPlan(parsed.instance, longer.plan)).toEqual([]);
  });
});
