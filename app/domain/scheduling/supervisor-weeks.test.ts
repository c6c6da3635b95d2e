import { describe, expect, it } from "vitest";
import { generateCity } from "../../../tests/support/city-generator";
import { generateInstance } from "../../../tests/support/instance-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { tryInsert } from "./candidates";
import { planFromState, solveProblem } from "./engine";
import { compileProblem } from "./problem";
import { Search } from "./search";
import { constructBySupervisorWeeks, replanSupervisorWeeks, supervisorsAreShort } from "./supervisor-weeks";
import { aParticipant, aRequest, aSupervisor, aWeek, parsed } from "./test-builders";

// One encadrant with 4 hours: two 2-hour interventions of one worker on
// Monday (240 participant-minutes together), one 3-hour intervention of
// three on Tuesday (540).
const shortWeek = (pinEarly = false) =>
  parsed(
    aWeek({
      participants: ["w-1", "w-2", "w-3"].map((id) => aParticipant(id)),
      supervisors: [aSupervisor("e-1", { weeklyMaxHours: 4 })],
      requests: [
        aRequest("early", { start: "2026-12-07T09:00", ...(pinEarly ? { pinned: { participantIds: ["w-3"] } } : {}) }),
        aRequest("late", { start: "2026-12-07T11:00" }),
        aRequest("big", { start: "2026-12-08T09:00", durationMinutes: 180, participantsNeeded: 3 }),
      ],
    }),
  );

const staffed = (search: Search) => search.problem.requests.filter((r) => search.state.isAssigned(r.index)).map((r) => r.id);

describe("the construction by encadrants' weeks", () => {
  it("gives an encadrant short of hours the heaviest week, where the greedy construction takes the earliest interventions", () => {
    const instance = shortWeek();
    const problem = compileProblem(instance);
    expect(supervisorsAreShort(problem)).toBe(true);

    const greedy = new Search(problem, 1);
    for (const r of greedy.constructionOrder) tryInsert(greedy, r);
    expect(staffed(greedy)).toEqual(["early", "late"]);
    expect(greedy.state.served).toBe(240);

    const byWeeks = new Search(problem, 1);
    constructBySupervisorWeeks(byWeeks);
    expect(staffed(byWeeks)).toEqual(["big"]);
    expect(byWeeks.state.served).toBe(540);
    expect(validatePlan(instance, planFromState(byWeeks.state)).violations).toEqual([]);
  });

  it("keeps a pinned intervention first, with its pinned worker, even when lighter", () => {
    const instance = shortWeek(true);
    const search = new Search(compileProblem(instance), 1);
    constructBySupervisorWeeks(search);
    expect(staffed(search)).toEqual(["early", "late"]);
    expect(search.state.pinnedKept).toBe(1);
    expect(search.state.team[search.problem.requests.findIndex((r) => r.id === "early")]).toContain(search.problem.people.findIndex((p) => p.id === "w-3"));
    expect(validatePlan(instance, planFromState(search.state)).violations).toEqual([]);
  });

  it("plans an encadrant's week again, the rest kept: a heavier week replaces theirs, never a lighter one", () => {
    const instance = shortWeek();
    const problem = compileProblem(instance);
    const search = new Search(problem, 1);
    const index = (id: string) => problem.requests.findIndex((r) => r.id === id);
    const w = (id: string) => problem.people.findIndex((p) => p.id === id);
    search.place(index("early"), { startIndex: 0, supervisor: w("e-1"), participants: [w("w-1")] });
    search.place(index("late"), { startIndex: 0, supervisor: w("e-1"), participants: [w("w-2")] });
    expect(replanSupervisorWeeks(search)).toBe(300);
    expect(staffed(search)).toEqual(["big"]);
    // Planned again, the best week stays.
    expect(replanSupervisorWeeks(search)).toBe(0);
    expect(staffed(search)).toEqual(["big"]);
    expect(validatePlan(instance, planFromState(search.state)).violations).toEqual([]);
  });

  it("starts the heuristic on a city's structure, where encadrants are short, and on no association's generated week", () => {
    const city = generateCity({ requests: 200, seed: 1 }).instance;
    const problem = compileProblem(city);
    expect(supervisorsAreShort(problem)).toBe(true);
    const { state, stats } = solveProblem(problem, { iterations: 1000 });
    // The greedy construction alone built 44,130 and the search ended at 51,630; the proven optimum of this week is 52,980.
    expect(stats.greedyObjective.servedParticipantMinutes).toBeGreaterThanOrEqual(51_000);
    expect(state.served).toBeGreaterThanOrEqual(52_500);
    expect(validatePlan(city, planFromState(state)).violations).toEqual([]);

    for (const timeWindows of [false, true]) expect(supervisorsAreShort(compileProblem(parsed(generateInstance({ requests: 150, seed: 11, timeWindows }))))).toBe(false);
  });
});
