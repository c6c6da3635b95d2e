import highsLoader from "highs";
import { describe, expect, it } from "vitest";
import { generateInstance } from "../../../tests/support/instance-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { planFromState, solveProblem } from "./engine";
import { findComponents } from "./exact-model";
import { refineGroups } from "./exact-pipeline";
import { dayWindows, describeRefinement, refineByDayWindows } from "./exact-refine";
import { describeWholeGroups } from "./exact-whole";
import { compileProblem } from "./problem";
import { PlanState, compareObjectives } from "./state";
import { aRequest, aSupervisor, aWeek, aParticipant, parsed } from "./test-builders";

const soon = () => performance.now() + 60_000;

describe("day windows", () => {
  it("groups 2 to maxDays days whose candidate starts fit, in day order; a time window counts each start", () => {
    const instance = parsed(
      aWeek({
        participants: [aParticipant("w-1")],
        supervisors: [aSupervisor("e-1")],
        requests: [
          aRequest("mon-1", { start: "2026-12-07T09:00" }),
          aRequest("mon-2", { start: "2026-12-07T14:00" }),
          aRequest("tue-1", { start: "2026-12-08T09:00" }),
          aRequest("tue-2", { start: "2026-12-08T14:00" }),
          aRequest("wed-1", { start: "2026-12-09T09:00" }),
          // Thursday: 09:00 to 10:00 on the 15-minute grid, 5 candidate starts.
          aRequest("thu-1", { start: "2026-12-10T09:00", latestStart: "2026-12-10T10:00" }),
        ],
      }),
    );
    const problem = compileProblem(instance);
    const all = problem.requests.map((r) => r.index);
    const ids = (windows: number[][]) => windows.map((w) => w.map((r) => problem.requests[r].id).join(" "));
    expect(ids(dayWindows(problem, all, 5, 3))).toEqual(["mon-1 mon-2 tue-1 tue-2", "mon-1 mon-2 tue-1 tue-2 wed-1", "mon-1 mon-2 wed-1", "tue-1 tue-2 wed-1", "thu-1"]); // Thursday's 5 starts fit with no other day: a window alone
    expect(ids(dayWindows(problem, all, 6, 2))).toContain("wed-1 thu-1");
    // A day in no window of several days is solved alone up to maxDayStarts; one in such a window is not.
    expect(ids(dayWindows(problem, all, 4, 3, 5))).toEqual(["mon-1 mon-2 tue-1 tue-2", "mon-1 mon-2 wed-1", "tue-1 tue-2 wed-1", "thu-1"]);
    expect(ids(dayWindows(problem, all, 4, 3, 4))).not.toContain("thu-1");
    expect(ids(dayWindows(problem, all, 5, 2))).not.toContain("mon-1 mon-2 tue-1 tue-2 wed-1");
    // No two days fit together: single days that fit, so a big week still gets some windows.
    expect(ids(dayWindows(problem, all, 2, 3))).toEqual(["mon-1 mon-2", "tue-1 tue-2", "wed-1"]);
  });
});

describe("refineByDayWindows", () => {
  // w-1 may work 4 h this week: Monday's 3-hour job leaves no room for
  // Tuesday's two 2-hour ones, which serve more. Only a move over both days
  // at once (drop Monday, take both Tuesdays) finds it.
  const capped = () =>
    parsed(
      aWeek({
        participants: [aParticipant("w-1", { weeklyMaxHours: 4 })],
        supervisors: [aSupervisor("e-1")],
        requests: [aRequest("mon", { start: "2026-12-07T09:00", durationMinutes: 180 }), aRequest("tue-am", { start: "2026-12-08T09:00" }), aRequest("tue-pm", { start: "2026-12-08T14:00" })],
      }),
    );

  /** The capped week, and a plan that gives w-1 (worker 0) Monday's job, led by e-1. */
  const cappedFromMonday = () => {
    const instance = capped();
    const problem = compileProblem(instance);
    const initial = new PlanState(problem);
    initial.assign(
      problem.requests.findIndex((r) => r.id === "mon"),
      0,
      problem.participantCount,
      [0],
    );
    return { instance, problem, initial };
  };

  it("re-plans two days at once against the weekly cap and improves the whole week", async () => {
    const { instance, problem, initial } = cappedFromMonday();
    const index = (id: string) => problem.requests.findIndex((r) => r.id === id);
    const highs = await highsLoader();

    const { state, report } = refineByDayWindows(
      highs,
      problem,
      initial,
      problem.requests.map((r) => r.index),
      {
        maxWindowStarts: 10,
        maxWindowDays: 2,
        maxSolves: 20,
        nodeLimit: 100,
        deadline: soon(),
      },
    );

    expect(state.served).toBe(240);
    expect(state.isAssigned(index("tue-am")) && state.isAssigned(index("tue-pm"))).toBe(true);
    expect(state.isAssigned(index("mon"))).toBe(false);
    expect(report).toMatchObject({ windows: 1, improved: 1, stoppedByDeadline: false });
    expect(compareObjectives(state.objective(), initial.objective())).toBeGreaterThan(0);
    expect(validatePlan(instance, planFromState(state)).violations).toEqual([]);
    // The plan given is not changed.
    expect(initial.served).toBe(180);
  });

  it("then solves a small enough group whole, from the windows' plan, and proves its served minutes", async () => {
    const { instance, problem, initial } = cappedFromMonday();
    const highs = await highsLoader();
    const groups = findComponents(problem);
    const limits = { nodeLimit: 100, deadline: soon() };

    const progress: number[] = [];
    const small = refineGroups(
      highs,
      problem,
      initial,
      groups,
      { maxStarts: 10, maxDays: 2, maxSolves: 5, maxWholeStarts: 3, wholeNodeLimit: 1000 },
      {
        ...limits,
        onProgress: (share) => progress.push(share),
      },
    );
    expect(small.wholeGroups).toEqual([{ group: groups[0], served: 240, servedBound: 240, proven: true }]);
    // The bar: the windows up to 40 %, then the whole solve; it never goes back.
    expect(progress).toContain(0.4);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(describeWholeGroups(small)).toBe("puis le groupe résolu en entier : minutes servies au maximum, prouvé par le solveur exact");
    expect(validatePlan(instance, planFromState(small.state)).violations).toEqual([]);

    const large = refineGroups(highs, problem, initial, groups, { maxStarts: 10, maxDays: 2, maxSolves: 5, maxWholeStarts: 2 }, limits);
    expect(large.wholeGroups).toEqual([]);
  });

  it("stops at maxSolves, and leaves a week as it is when the deadline has passed", async () => {
    const { problem, initial } = cappedFromMonday();
    const highs = await highsLoader();
    const all = problem.requests.map((r) => r.index);

    const once = refineByDayWindows(highs, problem, initial, all, { maxWindowStarts: 10, maxWindowDays: 2, maxSolves: 1, nodeLimit: 100, deadline: soon() });
    expect(once.report.solved).toBe(1);

    const late = refineByDayWindows(highs, problem, initial, all, { maxWindowStarts: 10, maxWindowDays: 2, maxSolves: 20, nodeLimit: 100, deadline: performance.now() - 1 });
    expect(late.report).toMatchObject({ solved: 0, stoppedByDeadline: true });
    expect(late.state).toBe(initial);
  });

  it("on a generated week: a valid plan, never worse than the heuristic's, the same on every run", async () => {
    const instance = parsed(generateInstance({ requests: 90, seed: 5 }));
    const problem = compileProblem(instance);
    const highs = await highsLoader();
    const run = () => {
      const { state } = solveProblem(problem, { iterations: 300 });
      const refined = refineGroups(highs, problem, state, findComponents(problem), { maxStarts: 40, maxDays: 2, maxSolves: 6, maxWholeStarts: 0 }, { nodeLimit: 50, deadline: soon() });
      return { heuristic: state.objective(), refined };
    };
    const first = run();
    const second = run();
    expect(first.refined.solved).toBeGreaterThan(0);
    expect(first.refined.timeStops).toBe(0);
    expect(compareObjectives(first.refined.state.objective(), first.heuristic)).toBeGreaterThanOrEqual(0);
    expect(first.refined.servedGain).toBe(first.refined.state.served - first.heuristic.servedParticipantMinutes);
    expect(validatePlan(instance, planFromState(first.refined.state)).violations).toEqual([]);
    expect(planFromState(second.refined.state)).toEqual(planFromState(first.refined.state));
  });
});

describe("describeRefinement", () => {
  const base = { state: null as unknown as PlanState, timeStops: 0, nodeStops: 0, wholeGroups: [] };
  it("says in French what the windows did", () => {
    expect(describeRefinement({ ...base, solved: 38, improved: 3, servedGain: 1200 })).toBe(
      "puis revu par le solveur exact, un à trois jours à la fois, le reste de la semaine fixé : 3 améliorations en 38 résolutions, 1\u202f200 minutes de travail servies en plus",
    );
    expect(describeRefinement({ ...base, solved: 1, improved: 1, servedGain: 0 })).toBe(
      "puis revu par le solveur exact, un à trois jours à la fois, le reste de la semaine fixé : 1 amélioration en 1 résolution, autant de minutes servies, mieux réparties",
    );
    expect(describeRefinement({ ...base, solved: 12, improved: 0, servedGain: 0 })).toBe(
      "puis revu par le solveur exact, un à trois jours à la fois, le reste de la semaine fixé : aucune amélioration en 12 résolutions",
    );
    expect(describeWholeGroups({ wholeGroups: [] })).toBeNull();
    const group = { group: [], served: 44_670, servedBound: 44_910, proven: false };
    expect(describeWholeGroups({ wholeGroups: [group] })).toBe("puis le groupe résolu en entier : minutes servies à 0,54 % au plus de l'optimum (limite du solveur atteinte)");
    expect(describeWholeGroups({ wholeGroups: [{ ...group, servedBound: 44_670, proven: true }, group] })).toBe(
      "puis chaque groupe résolu en entier : minutes servies à 0,27 % au plus de l'optimum (limite du solveur atteinte)",
    );
  });
});
